"""The diffs reviewloop reads cannot be blinded by a tree's `.gitattributes`: only git's own
content test (a NUL byte in the first 8000 bytes) makes a file binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import Repository, open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files

CODE = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
HIDING = {".gitattributes": "* -diff\n", "pkg/.gitattributes": "*.py binary\n",
          "gen/.gitattributes": "*.py linguist-generated=true diff=nodiff\n"}


pytestmark = pytest.mark.usefixtures("no_global_git_config")


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return open_repository(init_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"}))


def hiding_change(root: Path) -> None:
    write_files(root, {**HIDING, "app.py": CODE, "pkg/mod.py": CODE, "gen/api.py": CODE,
                       "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary"})


def added(diff_text: str) -> dict[str, int]:
    return {f.path: len(f.added) for f in parse_diff(diff_text).files if not f.binary}


def binaries(diff_text: str) -> list[str]:
    return [f.path for f in parse_diff(diff_text).files if f.binary]


def test_plain_git_is_blinded_by_the_change_s_own_attributes(repo: Repository) -> None:
    """What the fix is for: `git diff` reads the checkout's `.gitattributes`."""
    hiding_change(repo.root)
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-qm", "hide")
    assert "app.py" in binaries(git(repo.root, "diff", "main~1", "main"))


def test_two_commits_are_diffed_as_text_whatever_the_head_s_attributes(repo: Repository
                                                                         ) -> None:
    hiding_change(repo.root)
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-qm", "hide")

    diff = repo.diff_refs("main~1", "main")

    assert added(diff) == {".gitattributes": 1, "pkg/.gitattributes": 1,
                           "gen/.gitattributes": 1, "app.py": 5, "pkg/mod.py": 5,
                           "gen/api.py": 5}
    assert binaries(diff) == ["logo.png"]  # git's own content test still holds


def test_the_working_tree_and_the_index_are_diffed_as_text(repo: Repository) -> None:
    hiding_change(repo.root)
    assert added(repo.diff())["app.py"] == 5
    assert binaries(repo.diff()) == ["logo.png"]
    git(repo.root, "add", ".")
    assert added(repo.diff_staged())["pkg/mod.py"] == 5
    assert binaries(repo.diff_staged()) == ["logo.png"]
    snapshot = repo.snapshot()
    write_files(repo.root, {"gen/api.py": CODE + "X = 2\n"})
    assert added(repo.diff_since(snapshot)) == {"gen/api.py": 1}


def test_a_linked_worktree_is_diffed_as_text(repo: Repository, tmp_path: Path) -> None:
    git(repo.root, "worktree", "add", "-q", "-b", "run", str(tmp_path / "wt"))
    tree = open_repository(tmp_path / "wt")
    snapshot = tree.snapshot()
    hiding_change(tree.root)

    diff = tree.diff_since(snapshot)

    assert added(diff)["app.py"] == 5 and binaries(diff) == ["logo.png"]
    assert git(repo.root, "status", "--short") == ""  # the main checkout is untouched


def test_an_unmerged_index_is_refused_by_name(repo: Repository) -> None:
    """An index holding conflicts has no staged change to review (`git commit` refuses it
    too): a user error naming the paths, not a conflict listing read as a diff."""
    git(repo.root, "switch", "-qc", "other")
    write_files(repo.root, {"app.py": "VALUE = 2\n"})
    git(repo.root, "commit", "-qam", "other")
    git(repo.root, "switch", "-q", "main")
    write_files(repo.root, {"app.py": "VALUE = 3\n"})
    git(repo.root, "commit", "-qam", "main")
    assert repo.try_git("merge", "-q", "other")[0] != 0  # a conflict
    assert repo.try_git("write-tree")[0] != 0  # which write-tree refuses

    with pytest.raises(UserInputError, match=r"1 path\(s\) with unresolved conflicts: app.py"):
        repo.diff_staged()
