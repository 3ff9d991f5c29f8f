"""The `reviewloop` commit status on a head a command reviewed: set it, and when GitHub
refuses (a workflow whose token lacks `statuses: write` answers 403, a repository it cannot
see 404) say why and the fix instead of failing the command that already did its work."""

from __future__ import annotations

from reviewloop.github.client import GitHubClient, GitHubError

STATUS_CONTEXT = "reviewloop"
PERMISSION_FIX = "give the workflow's job `permissions: statuses: write`"


def set_status(github: GitHubClient, repo: str, sha: str, *, clean: bool) -> str | None:
    """Set the status on `sha` (success when `clean`); None when GitHub took it, else one
    line saying what was not set, why, and (for a refusal) the fix."""
    try:
        github.create_status(repo, sha, state="success" if clean else "failure",
                             context=STATUS_CONTEXT,
                             description="reviewloop: no blocking finding is open" if clean
                             else "reviewloop: blocking findings are open (see the summary "
                                  "comment)")
    except GitHubError as exc:
        fix = f": {PERMISSION_FIX}" if exc.status in (403, 404) else ""
        return " ".join(f"the `{STATUS_CONTEXT}` commit status could not be set on "
                        f"{sha[:12]} ({exc}){fix}".split())
    return None
