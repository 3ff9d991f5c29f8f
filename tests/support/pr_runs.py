"""A pull request's pushes reviewed as the Action runs them: the loopback GitHub fake told
the PR's diff and head, then `reviewloop review --github` in its own process with the
Actions environment (analyzers only unless `env` names a model)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewloop.github.markers import read_marker
from tests.support import warm_cli
from tests.support.github import GitHubFake
from tests.support.pr_mode import EVENTS, KEY, PR_NUMBER, PR_REPO, git
from tests.support.repos import commit


@dataclass(frozen=True)
class Run:
    code: int
    outputs: dict[str, str]
    job_summary: str
    stderr: str

    def counts(self) -> tuple[str, str, str]:
        return self.outputs["must_fix"], self.outputs["should_fix"], self.outputs["nit"]


def shown(gh: GitHubFake, root: Path, *, before: str | None = None) -> None:
    """Tell the fake the PR's diff and head now (`before`: the head a push moved from)."""
    diff = subprocess.run(["git", "diff", "main...HEAD"], cwd=root, check=True,
                          capture_output=True, text=True, errors="surrogateescape").stdout
    head = git(root, "rev-parse", "HEAD")
    if before is None:
        gh.open_pr(PR_REPO, PR_NUMBER, diff, head_sha=head)
    else:
        gh.push(PR_REPO, PR_NUMBER, diff, head_sha=head)


def payload(root: Path, action: str, **extra: str) -> dict:
    """The webhook payload for `action` at the checkout's head."""
    data = json.loads((EVENTS / "pull_request.opened.json").read_text()) | {"action": action}
    data["pull_request"]["base"] |= {"sha": git(root, "rev-parse", "main"), "ref": "main"}
    data["pull_request"]["head"]["sha"] = git(root, "rev-parse", "HEAD")
    data["pull_request"]["head"]["repo"] = {"full_name": PR_REPO}
    return data | extra


def review(root: Path, tmp: Path, gh: GitHubFake, event: dict,
           env: Mapping[str, str] | None = None, args: Sequence[str] = ()) -> Run:
    """One Actions run on `event` (a `payload`); `env` over the test's environment, `args`
    after `review` (the Action's `--tests`)."""
    tmp.mkdir(parents=True)
    (tmp / "event.json").write_text(json.dumps(event))
    (tmp / "outputs.txt").write_text("")
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("AWS_") and k != "REVIEWLOOP_MODEL"}
    run_env = base | {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
                      "GITHUB_EVENT_PATH": str(tmp / "event.json"), "GITHUB_API_URL": gh.url,
                      "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
                      "GITHUB_OUTPUT": str(tmp / "outputs.txt")} | dict(env or {})
    done = warm_cli.run(["review", "--sarif", str(tmp / "out.sarif"), *args], root,
                        env=run_env, timeout=300)
    assert done.returncode in (0, 1, 4), done.stdout + done.stderr
    outputs = dict(line.split("=", 1)
                   for line in (tmp / "outputs.txt").read_text().splitlines() if "=" in line)
    return Run(done.returncode, outputs, (tmp / "summary.md").read_text(), done.stderr)


def pushed_event(root: Path, gh: GitHubFake, message: str,
                 files: Mapping[str, str] | None = None) -> dict:
    """Commit what the worktree holds (and `files`) as a push, tell the fake; its
    `synchronize` payload."""
    before = git(root, "rev-parse", "HEAD")
    commit(root, files, message)
    shown(gh, root, before=before)
    return payload(root, "synchronize", before=before, after=git(root, "rev-parse", "HEAD"))


def pushed(root: Path, gh: GitHubFake, tmp: Path, message: str,
           files: Mapping[str, str] | None = None) -> Run:
    """`pushed_event`, then the Action's review of it (a verdict, never a failure to run)."""
    run = review(root, tmp, gh, pushed_event(root, gh, message, files))
    assert run.code in (0, 1), run.stderr
    return run


def summary_comment(gh: GitHubFake) -> tuple[str, dict]:
    """The summary comment's body and its marker's data."""
    (comment,) = [c for c in gh.state.issue_comments if read_marker(c["body"], KEY, "summary")]
    marker = read_marker(comment["body"], KEY, "summary")
    assert marker is not None
    return comment["body"], marker.data


def posted_fingerprints(gh: GitHubFake) -> set[str]:
    """Every finding the PR's comments and review bodies carry a marker for."""
    found = {read_marker(c["body"], KEY, "finding").data["f"]["fp"]  # type: ignore[union-attr]
             for c in gh.state.review_comments if read_marker(c["body"], KEY, "finding")}
    for review_ in gh.state.reviews:
        marker = read_marker(review_["body"], KEY, "review")
        found |= {f["fp"] for f in (marker.data.get("f") or [])} if marker else set()
    return found


def verdict(text: str) -> str:
    """The **Verdict:** line of a report."""
    return next((line for line in text.splitlines() if line.startswith("**Verdict:**")), "")
