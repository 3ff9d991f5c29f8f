"""A finding's move to its renamed file cut short at each of its steps (GitHub fails the post
of the new comment, the edit of the old one, or the thread's resolution), then the same push
reviewed again or the rename undone by the next push: at every point the open finding has
one marked comment on a live thread, and the next run leaves exactly one, never a resolved
thread for an open finding nor a copy blamed on "another run" (`github.publish._carry`).
`reviewloop review --github` against the loopback GitHub fake, analyzers only."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY, git
from tests.support.pr_runs import payload, pushed_event, review, shown
from tests.support.repos import branch_repo

BAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
# the requests of a move, in the order GitHub sees them
STEPS = {"post the new comment": "POST /repos/{repo}/pulls/{pr}/comments",
         "edit the old comment": "PATCH /repos/{repo}/pulls/comments/{old}",
         "resolve the old thread": "POST /graphql mutation"}
# The outage asks for no wait (Retry-After: 0): the client's retries of an edit or a mutation
# still all fail, at once instead of after 1 + 2 + 4 + 8 s of backoff each (15-30 s a case).
NO_WAIT = {"retry-after": "0"}


def _live(gh: GitHubFake) -> list[dict]:
    """The comments whose marker says B602's finding is open."""
    return [c for c in gh.state.review_comments
            if (m := read_marker(c["body"], KEY, "finding")) and m.data["f"].get("rule") == "B602"
            and m.data.get("st") == "open"]


@pytest.mark.parametrize("then", ["again", "undone"])
@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_move_cut_short_at_any_step_leaves_one_live_comment(tmp_path: Path, step: str,
                                                             then: str) -> None:
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, {"a.py": BAD})
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        (old,) = _live(gh)
        git(root, "mv", "a.py", "b.py")
        event = pushed_event(root, gh, "rename")
        repo, pr = old["_pr"]
        gh.outage(500, match=STEPS[step].format(repo=repo, pr=pr, old=old["id"]),
                  headers=NO_WAIT)
        review(root, tmp_path / "run2", gh, event)
        gh.heal()
        assert any(not gh.thread_of(c["id"])["resolved"] for c in _live(gh)), step

        if then == "again":
            review(root, tmp_path / "run3", gh, event)
            where = "b.py"
        else:
            git(root, "mv", "b.py", "a.py")
            review(root, tmp_path / "run3", gh, pushed_event(root, gh, "rename back"))
            where = "a.py"
        (live,) = _live(gh)
        assert live["path"] == where and not gh.thread_of(live["id"])["resolved"]
        assert not any("another run posted" in c["body"] for c in gh.state.review_comments)
