"""The GitHub fake's endpoints for comment commands (mixed into `GitHubFake`): who may
command (`repos/get-collaborator-permission-level`), the status a pushed fix gets
(`repos/create-commit-status`), and a pull request whose head follows its branch in the
bare repository the test uses as the remote (`remotes[repo]`), as GitHub's does on a push."""

from __future__ import annotations

import subprocess
from typing import Any
from urllib.parse import unquote

_PERMISSION = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read",
               "read": "read"}


class CommandEndpoints:
    """State: `permissions` (login → role; anyone else reads, as on a public repository)
    and `statuses` (every commit status set, in order)."""

    remotes: dict[str, Any]
    prs: dict[tuple[str, int], Any]

    def __init__(self) -> None:
        self.permissions: dict[str, str] = {}
        self.statuses: list[dict[str, Any]] = []

    def status_of(self, sha: str, context: str = "reviewloop") -> str | None:
        """The latest state of `context` on `sha`, None when never set."""
        found = [s["state"] for s in self.statuses if s["sha"] == sha
                 and s["context"] == context]
        return found[-1] if found else None

    def _repos_get_collaborator_permission_level(self, params, query, body):
        login = unquote(params["username"])
        role = self.permissions.get(login, "read")
        return 200, {}, {"permission": _PERMISSION.get(role, "none"), "role_name": role,
                         "user": {"login": login, "id": abs(hash(login)) % 10**8,
                                  "type": "User"}}

    def _repos_create_commit_status(self, params, query, body):
        status = {"sha": params["sha"], "state": body["state"],
                  "context": body.get("context", "default"),
                  "description": body.get("description"), "id": len(self.statuses) + 1}
        self.statuses.append(status)
        return 201, {}, status

    def follow_remote(self, pr: Any) -> None:
        """A push to the PR's branch in the remote becomes its new head (comments move with
        their lines, as `push(moved_by=…)` does); fork PRs are not in the remote."""
        remote = self.remotes.get(pr.repo)
        if remote is None or pr.head_repo:
            return
        sha = _git(remote, "rev-parse", "--verify", "--quiet", f"refs/heads/{pr.head_ref}")
        if not sha or sha == pr.head_sha:
            return
        self.push(pr.repo, pr.number, _git(remote, "diff", f"{pr.base_sha}...{sha}", raw=True),
                  head_sha=sha, moved_by=_git(remote, "diff", pr.head_sha, sha, raw=True))

    def push(self, repo: str, number: int, diff_text: str, *, head_sha: str,
             force: bool = False, moved_by: str | None = None) -> None:
        raise NotImplementedError  # GitHubFake's


def _git(root: Any, *args: str, raw: bool = False) -> str:
    out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                         check=False).stdout
    return out if raw else out.strip()
