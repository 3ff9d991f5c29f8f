"""reviewloop.git.worktrees on real repositories: runs work apart, each in its own worktree
and branch (landing their commits: tests/landing/test_engine.py)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo, user_view, write


def test_a_run_tree_starts_at_head_on_its_own_branch_without_the_users_edits(root: Path):
    write(root, "notes.txt", "edited\n")
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)

    assert Path(tree.path) == root / ".reviewloop/worktrees/r1"
    assert (Path(tree.path) / "notes.txt").read_text() == "n\n"
    assert git(Path(tree.path), "branch", "--show-current").strip() == "reviewloop/1"
    assert tree.target == "work" and tree.carried == ()
    assert git(root, "status", "--porcelain") == " M notes.txt\n"  # the run is invisible here
    again = worktree.create(open_repository(root), "r2", "reviewloop/1", carry=False)
    assert again.branch == "reviewloop/1-2"
    assert set(worktree.listed(open_repository(root)).values()) == {"reviewloop/1",
                                                                     "reviewloop/1-2"}


def test_carry_copies_staged_unstaged_and_untracked_edits_and_shows_them(root: Path):
    write(root, "app.py", "x = 2\n")
    git(root, "add", "app.py")
    write(root, "notes.txt", "unstaged\n")
    write(root, "new/file.py", "y = 1\n")
    (root / "tasks.md").unlink()
    before = user_view(root)

    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=True)

    path = Path(tree.path)
    assert tree.carried == ("app.py", "new/file.py", "notes.txt", "tasks.md")
    assert (path / "app.py").read_text() == "x = 2\n"
    assert (path / "new/file.py").read_text() == "y = 1\n"
    assert not (path / "tasks.md").exists()
    assert user_view(root) == before


def test_remove_deletes_the_worktree_and_optionally_its_branch(root: Path):
    checkout = open_repository(root)
    tree = worktree.create(checkout, "r1", "reviewloop/1", carry=False)
    write(Path(tree.path), "scratch.py", "left over\n")

    worktree.remove(checkout, tree, branch=True)

    assert not Path(tree.path).exists()
    assert worktree.listed(checkout) == {}
    assert git(root, "branch", "--list", "reviewloop/*") == ""


def test_branch_names_follow_the_template() -> None:
    assert worktree.branch_name("reviewloop/{task}", "2.1") == "reviewloop/2.1"
    assert worktree.branch_name("rl-{task}", "T 3/a") == "rl-T-3-a"
    default = "reviewloop/{spec}/{task}"
    assert worktree.branch_name(default, "1", ".kiro/specs/alpha/tasks.md") == \
        "reviewloop/alpha/1"
    assert worktree.branch_name(default, "T001", "specs/001-auth/tasks.md") == \
        "reviewloop/001-auth/T001"
    assert worktree.branch_name(default, "T2", "docs/todo-api-spec.md") == \
        "reviewloop/todo-api/T2"
    # the one spec at the repository's root keeps the names it always had
    assert worktree.branch_name(default, "1", "tasks.md") == "reviewloop/1"
    assert worktree.branch_name("rl-{spec}-{task}", "1", None) == "rl-1"


_FOLDER = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1,
                  max_size=12).filter(lambda name: name not in (".", ".."))


@settings(max_examples=150, deadline=None)
@given(first=_FOLDER, second=_FOLDER, task=st.from_regex(r"T?[0-9]{1,3}(\.[0-9])?",
                                                          fullmatch=True),
       layout=st.sampled_from([".kiro/specs/{}/tasks.md", "specs/{}/tasks.md"]))
def test_two_specs_never_share_a_branch_and_every_name_is_a_valid_ref(
        first: str, second: str, task: str, layout: str) -> None:
    """Any two spec folders whose names differ in a letter or digit get different branches
    for the same task id, and every name is one git accepts as a branch."""
    names = [worktree.branch_name("reviewloop/{spec}/{task}", task, layout.format(folder))
             for folder in (first, second)]
    for name in names:
        assert subprocess.run(["git", "check-ref-format", "--branch", name],
                              capture_output=True).returncode == 0, name
    if _letters(first) != _letters(second):
        assert names[0] != names[1]


def _letters(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name).split())


def test_removing_one_run_keeps_git_links_of_the_others_after_a_move(tmp_path: Path):
    """Landing (or cleaning) one run after the checkout moved leaves the other runs'
    worktrees mendable: git's record of them is not pruned (their old folder is gone)."""
    first = tmp_path / "a"
    git(tmp_path, "init", "-q", "-b", "main", str(first))
    write(first, "app.py", "x = 1\n")
    git(first, "add", "-A")
    git(first, "commit", "-qm", "base")
    for run in ("one", "two"):
        worktree.create(open_repository(first), run, f"reviewloop/{run}", carry=False)
    moved = tmp_path / "b"
    first.rename(moved)
    folders = {run: moved / worktree.WORKTREES / run for run in ("one", "two")}
    git(moved, "worktree", "repair", str(folders["one"]))
    tree = worktree.RunTree(path=str(folders["one"]), branch="reviewloop/one", base="",
                            target=None)

    worktree.remove(open_repository(moved), tree, branch=True)

    git(moved, "worktree", "repair", str(folders["two"]))
    assert git(folders["two"], "branch", "--show-current").strip() == "reviewloop/two"
    assert not folders["one"].exists()


def test_a_branch_above_or_below_the_run_branch_does_not_block_the_run(root: Path):
    """A user's branch `reviewloop` (git keeps refs as files: it blocks `reviewloop/…`)
    or `reviewloop/1/old` (blocks `reviewloop/1`): the run still gets a branch of its own."""
    git(root, "branch", "reviewloop/1/old")
    below = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    assert below.branch == "reviewloop/1-2"
    git(root, "switch", "-qc", "reviewloop/x/y")  # nothing below `reviewloop` any more …
    git(root, "branch", "-D", "reviewloop/1/old")
    git(root, "worktree", "remove", "--force", below.path)
    git(root, "branch", "-D", "reviewloop/1-2")
    git(root, "switch", "-qc", "main2")
    git(root, "branch", "-D", "reviewloop/x/y")
    git(root, "branch", "reviewloop")  # … and a branch above it
    above = worktree.create(open_repository(root), "r2", "reviewloop/1", carry=False)
    assert above.branch == "reviewloop-1"
    assert git(Path(above.path), "branch", "--show-current").strip() == "reviewloop-1"


_PARTS = st.sampled_from(["reviewloop", "1", "1-2", "x", "reviewloop-1"])
_BRANCHES = st.lists(st.lists(_PARTS, min_size=1, max_size=3).map("/".join), max_size=5)


@settings(max_examples=30, deadline=None)
@given(existing=_BRANCHES, wanted=st.lists(_PARTS, min_size=1, max_size=3).map("/".join))
def test_the_free_branch_is_one_git_can_create_whatever_branches_exist(
        existing: list[str], wanted: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = init_repo(Path(folder), {"a.txt": "a\n"})
        made = {b for b in existing if _made(root, b)}
        checkout = open_repository(root)

        name = worktree.free_branch(checkout, wanted)

        assert name not in made
        assert _made(root, name), (made, name)
        if not any(b == wanted or b.startswith(f"{wanted}/") or wanted.startswith(f"{b}/")
                   for b in made):
            assert name == wanted


def _made(root: Path, branch: str) -> bool:
    """Whether `git branch BRANCH` succeeded in `root`."""
    return subprocess.run(["git", "branch", branch], cwd=root, capture_output=True,
                          check=False).returncode == 0
