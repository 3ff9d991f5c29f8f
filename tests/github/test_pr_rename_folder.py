"""A push that renames a folder moves the open findings in it: their new comments go in the
push's one review with its new findings (one notification), never one review comment each,
and at most `MAX_MOVED` of them; the rest keep their old comments (`github.moves`).
`reviewloop review --github` against the loopback GitHub fake, analyzers only."""

from __future__ import annotations

from pathlib import Path

from reviewloop.github.markers import read_marker
from reviewloop.github.moves import MAX_MOVED
from reviewloop.github.plan import MAX_INLINE
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY, git
from tests.support.pr_runs import payload, pushed, review, shown
from tests.support.repos import branch_repo

# bandit: B404 on the import, B602 on the call: two inline findings a file
BAD = "import subprocess\n\n\ndef run{i}(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FILES = MAX_INLINE // 2  # the first review's inline comments, all of them in `old/`
assert MAX_MOVED == MAX_INLINE  # the test's first two pushes post one more than that


def _marked(gh: GitHubFake, folder: str) -> list[dict]:
    """Our comments in `folder` that carry a finding marker (the live ones)."""
    return [c for c in gh.state.review_comments
            if c["path"].startswith(folder) and read_marker(c["body"], KEY, "finding")]



def test_a_renamed_folders_findings_move_in_one_review_at_most_max_moved(
        tmp_path: Path) -> None:
    files = {f"old/m{i}.py": BAD.format(i=i) for i in range(FILES)}
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, files)
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        pushed(root, gh, tmp_path / "run2", "one more", {"old/more.py": BAD.format(i="x")})
        assert len(_marked(gh, "old/")) == 2 * FILES + 2 == MAX_MOVED + 2

        git(root, "mv", "old", "new")  # and two new findings
        singles, reviews = (len(gh.calls_to(op)) for op in (
            "pulls/create-review-comment", "pulls/create-review"))
        pushed(root, gh, tmp_path / "run3", "rename the folder", {"extra.py": BAD.format(i="y")})
        assert len(gh.calls_to("pulls/create-review-comment")) == singles  # none on its own
        (posted,) = gh.calls_to("pulls/create-review")[reviews:]  # one review
        assert len(posted.body["comments"]) == 2 + MAX_MOVED  # the new ones, the moved
        assert f"{MAX_MOVED} open finding(s) moved" in posted.body["body"]
        assert len(_marked(gh, "new/")) == MAX_MOVED and len(_marked(gh, "old/")) == 2
        pointing = [c for c in gh.state.review_comments if c["path"].startswith("old/")
                    and read_marker(c["body"], KEY) is None]
        assert len(pointing) == MAX_MOVED
        for comment in pointing:
            assert "this finding is now on `new/" in comment["body"]
            assert gh.thread_of(comment["id"])["resolved"]

        pushed(root, gh, tmp_path / "run4", "unrelated", {"README.md": "y\n"})
        assert len(_marked(gh, "new/")) == MAX_MOVED and len(_marked(gh, "old/")) == 2
        assert len(gh.calls_to("pulls/create-review-comment")) == singles
        assert not any("another run posted" in c["body"] for c in gh.state.review_comments)
