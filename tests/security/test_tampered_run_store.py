"""A tampered run store (the saved work a resume rebuilds a run from, `git/carry.py`): a
tree made by hand can name `..`, `.git` or a symlink where git's own commands never would.
Nothing is written outside the run folder or the run's worktree, and the resume is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reviewloop.git import carry
from reviewloop.git import worktrees as worktree
from reviewloop.git.nofollow import UnsafePath
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo

BASE = {"a.txt": "alpha\n", "dir/b.txt": "bravo\n"}


def _hostile(repo_root: Path, name: str, mode: str = "100644") -> str:
    """A tree holding a blob under `name` parts made by hand: git's own commands would
    never write `..` or a link there, a tampered store can."""
    blob = _blob(repo_root, "owned\n")
    parts = name.split("/")
    entry = f"{mode} blob {blob}\t{parts[-1]}\n"
    for part in reversed(parts[:-1]):
        tree = _mktree(repo_root, entry)
        entry = f"040000 tree {tree}\t{part}\n"
    return _mktree(repo_root, entry)


def _blob(root: Path, text: str) -> str:
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=text,
                          capture_output=True, text=True, check=True).stdout.strip()


def _mktree(root: Path, listing: str) -> str:
    return subprocess.run(["git", "mktree", "--missing"], cwd=root, input=listing,
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(("part", "name", "mode"), [
    ("run", "../../escaped.txt", "100644"),
    ("run", "notes/../../../escaped.txt", "100644"),
    ("run", "link", "120000"),  # a run-folder "file" that points anywhere
    ("work", "../../../escaped.txt", "100644"),
    ("work", ".git/hooks/post-checkout", "100755"),
])
def test_a_tampered_pack_writes_nothing_outside(tmp_path: Path, part: str, name: str,
                                               mode: str) -> None:
    first = init_repo(tmp_path / "a", BASE, branch="work")
    base = git(first, "rev-parse", "HEAD").strip()
    repo = open_repository(first)
    empty = carry.folder_tree(repo, tmp_path, [])
    bad = _hostile(first, name, mode)
    work, run = (bad, empty) if part == "work" else (repo.worktree_tree(), bad)
    packed = carry.pack(repo, carry.compose(repo, work, run, []), base)
    other = tmp_path / "b"
    git(tmp_path, "clone", "-q", "--no-local", "-b", "work", str(first), str(other))
    checkout = open_repository(other)
    run_dir = other / ".reviewloop/runs/r1"
    run_dir.mkdir(parents=True)

    with pytest.raises(UnsafePath):  # at unpacking (git's own checks) or at writing
        carry.unpack(checkout, packed)
        if part == "run":
            carry.write_run_files(checkout, packed, run_dir)
        else:
            tree = worktree.RunTree(path=str(first / ".reviewloop/worktrees/r1"),
                                    branch="reviewloop/1", base=base, target=None)
            carry.rebuild(checkout, "r1", tree, packed)
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not (other / ".git/hooks/post-checkout").exists()
