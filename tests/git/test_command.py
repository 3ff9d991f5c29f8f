"""Finding the repository and running git without GitPython (reviewloop.git.command): the
root as GitPython gave it, from any folder or file inside, and the errors it gave."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.command import GitCommand
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"src/deep/m.py": "A = 1\n"}, message="x")


def test_the_root_is_found_from_a_folder_a_file_or_the_git_folder(root: Path) -> None:
    for start in (root, root / "src" / "deep", root / "src" / "deep" / "m.py", root / ".git"):
        repo = open_repository(start)
        assert repo.root == root, start
        assert repo.head_sha() == git(root, "rev-parse", "HEAD").strip()


def test_the_root_is_spelled_from_the_path_given_not_through_a_symlink(root: Path,
                                                                        tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(root)
    assert open_repository(link / "src").root == link


def test_a_linked_worktree_is_its_own_root(root: Path, tmp_path: Path) -> None:
    git(root, "worktree", "add", "-q", str(tmp_path / "other"))
    repo = open_repository(tmp_path / "other" / "src")
    assert repo.root == tmp_path / "other"
    assert repo.current_branch() == "other"


@pytest.mark.parametrize("where", ["missing", "plain"])
def test_outside_a_repository_or_a_missing_path_says_so(tmp_path: Path, where: str) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(UserInputError, match=f"not a git repository: {tmp_path / where}"):
        open_repository(tmp_path / where)


def test_a_bare_repository_is_refused_with_its_fix(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "b.git")
    with pytest.raises(UserInputError, match="a bare repository has no working tree") as caught:
        open_repository(tmp_path / "b.git")
    assert "run reviewloop in a clone with a working tree" in str(caught.value)


def test_git_runs_in_english_with_the_callers_environment_and_no_input(root: Path) -> None:
    status, out, err = GitCommand(root).run(["git", "rev-parse", "--verify", "nope"])
    assert (status, out) == (128, b"") and err == "fatal: Needed a single revision"
    status, out, _ = GitCommand(root).run(["git", "var", "GIT_AUTHOR_IDENT"],
                                          env={"GIT_AUTHOR_NAME": "Ada",
                                               "GIT_AUTHOR_EMAIL": "ada@example.invalid"})
    assert status == 0 and out.startswith(b"Ada <ada@example.invalid> ")
    status, out, _ = GitCommand(root).run(["git", "hash-object", "--stdin"])
    assert status == 0 and out == b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\n"  # empty input
