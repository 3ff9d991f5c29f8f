"""A shallow clone can hold an older common ancestor of `base` and `head` while its cut hides
the true merge base (a merge on the base branch whose second parent reaches back past it):
git then answers the older commit, and `base...head` took in the base branch's own commits
as the change's, a must-fix on a file main already had (fuzz round 8, D7). The review now
refuses such a range, as it refuses one with no merge base at all, and says to fetch history.

Generated: histories of commits on main, on a side branch merged into main and on a feature
branch, each cloned at every depth from 1 to 8. The oracle is the full repository: in every
clone the change's files are its `git diff main...feature`, or the range is refused; never
other files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo

STEPS = ("main", "side", "merge", "feature")


def _history(root: Path, steps: list[str]) -> None:
    """`steps` played on main (a commit), side (a commit on a branch from main's start),
    merge (side merged into main) and feature (a commit on a branch from where main was
    when the first feature step came)."""
    init_repo(root, {"README.md": "x\n"})
    git(root, "branch", "side")
    for index, step in enumerate(steps):
        if step == "merge":
            git(root, "checkout", "-q", "main")
            git(root, "merge", "-q", "--no-edit", "--no-ff", "side")
            continue
        branch = step
        if step == "feature" and "feature" not in git(root, "branch"):
            git(root, "branch", "feature", "main")
        git(root, "checkout", "-q", branch)
        (root / f"{step}_{index}.py").write_text(f"VALUE = {index}\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"{step} {index}")
    if "feature" not in git(root, "branch"):
        git(root, "branch", "feature", "main")
    git(root, "checkout", "-q", "feature")


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(STEPS), min_size=2, max_size=9))
@example(["side", "main", "feature", "main", "main", "main", "merge"])  # the fuzzer's shape
def test_a_shallow_clone_gives_the_true_change_or_refuses(tmp_path_factory, steps) -> None:
    origin = tmp_path_factory.mktemp("origin") / "r"
    _history(origin, steps)
    truth = sorted(git(origin, "diff", "--name-only", "main...feature").split())
    answered = set()
    for depth in range(1, 9):
        clone = origin.parent / f"depth{depth}"
        subprocess.run(["git", "clone", "-q", f"--depth={depth}", "--no-single-branch",
                        f"file://{origin}", str(clone)], check=True)
        try:
            got = sorted(open_repository(clone).changed_files("origin/main", "origin/feature"))
        except UserInputError as refused:
            assert "fetch-depth: 0" in (refused.fix or ""), refused
            continue
        assert got == truth, (steps, depth)
        answered.add(depth)
    assert 8 in answered or len(steps) > 6  # a clone deep enough is no refusal
