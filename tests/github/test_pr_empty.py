"""A pull request whose head adds no commit to its base branch — force-pushed back to the
base, or its commits already merged there — is an empty change: the run says there is
nothing to review in words an Action user can act on (no `--head`/`--base` flag), writes the
step outputs, the job summary and the SARIF as any run does, and updates the summary comment:
nothing is open, each finding posted before is no longer in the PR (its thread resolved),
and the check is green. A later push that brings a finding back opens it again.

`reviewloop review --github` runs as the Action runs it, against the loopback GitHub fake,
analyzers only (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY, PR_NUMBER, PR_REPO, SHELL_LINE, git
from tests.support.pr_runs import payload, pushed, review, shown, summary_comment
from tests.support.repos import branch_repo, commit

APP = "import subprocess\n\n\ndef ok():\n    return 1\n"
BAD = APP + "\n\ndef run(cmd):\n" + SHELL_LINE


def _emptied(root: Path, how: str) -> None:
    """Leave the PR's head with no commit of its own: reset to main, or main takes its
    commits (and one more)."""
    if how == "reset to the base":
        git(root, "reset", "-q", "--hard", "main")
        return
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "feature")
    commit(root, {"NOTES.md": "after the merge\n"}, "main moves on")
    git(root, "switch", "-q", "feature")


def _b602(gh: GitHubFake) -> dict:
    (comment,) = [c for c in gh.state.review_comments
                  if (m := read_marker(c["body"], KEY, "finding"))
                  and m.data["f"]["rule"] == "B602"]
    return comment


@pytest.mark.parametrize("how", ["reset to the base", "merged into the base"])
def test_an_empty_change_is_said_written_and_leaves_nothing_open(how: str,
                                                                 tmp_path: Path) -> None:
    root = branch_repo(tmp_path / "repo", {"app.py": APP}, {"app.py": BAD}, message="run")
    with GitHubFake() as gh:
        shown(gh, root)
        first = review(root, tmp_path / "run1", gh, payload(root, "opened"))
        assert (first.code, first.outputs["must_fix"]) == (1, "1")

        before = git(root, "rev-parse", "HEAD")
        _emptied(root, how)
        head = git(root, "rev-parse", "HEAD")
        gh.push(PR_REPO, PR_NUMBER, "", head_sha=head, force=how == "reset to the base")
        empty = review(root, tmp_path / "run2", gh,
                       payload(root, "synchronize", before=before, after=head))
        assert gh.violations == []
        body, marker = summary_comment(gh)
        left = _b602(gh)
        resolved = gh.thread_of(left["id"])["resolved"]

    assert empty.code == 0, empty.stderr
    assert {k: empty.outputs[k] for k in ("must_fix", "should_fix", "nit", "published")} == \
        {"must_fix": "0", "should_fix": "0", "nit": "0", "published": "true"}
    said = "nothing to review in this pull request: " + (
        f"its head is main's own commit {head[:12]}" if how == "reset to the base" else
        f"every commit of its head {head[:12]} is already in main")
    assert said in empty.job_summary and said in body
    assert "**Verdict:** nothing to review" in empty.job_summary
    assert "--head" not in empty.job_summary + empty.stderr
    sarif = json.loads((tmp_path / "run2" / "out.sarif").read_text())
    assert [r for run in sarif["runs"] for r in run["results"]] == []
    # the summary comment: nothing open, what was posted no longer in the PR
    assert body.startswith("**Open on this pull request: 0**")
    assert "⏭️ 2 no longer in this pull request" in body  # B602 and "no test change"
    assert (marker["head"], marker["open"]) == (head, {"must_fix": 0, "should_fix": 0,
                                                       "nit": 0})
    assert read_marker(left["body"], KEY, "finding").data["st"] == "left"  # type: ignore
    assert resolved


def test_a_push_after_an_empty_change_opens_the_finding_again(tmp_path: Path) -> None:
    root = branch_repo(tmp_path / "repo", {"app.py": APP}, {"app.py": BAD}, message="run")
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        before = git(root, "rev-parse", "HEAD")
        _emptied(root, "reset to the base")
        gh.push(PR_REPO, PR_NUMBER, "", head_sha=git(root, "rev-parse", "HEAD"), force=True)
        assert review(root, tmp_path / "run2", gh, payload(
            root, "synchronize", before=before, after=git(root, "rev-parse", "HEAD"))).code == 0
        back = pushed(root, gh, tmp_path / "run3", "run again", {"app.py": BAD})
        comment = _b602(gh)
        assert gh.violations == []
    assert (back.code, back.outputs["must_fix"]) == (1, "1")
    assert read_marker(comment["body"], KEY, "finding").data["st"] == "open"  # type: ignore
    assert not gh.thread_of(comment["id"])["resolved"]

