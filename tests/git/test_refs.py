"""reviewloop.git.refs: which commit a name gives without asking git again — a full id git
said names a commit, and a ref a review holds (its first answer, while the object lives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.refs import CommitNames
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.processes import started
from tests.support.repos import init_repo, write

pytestmark = pytest.mark.usefixtures("no_global_git_config")


def test_a_full_id_is_known_a_name_only_when_held() -> None:
    names = CommitNames()
    names.hold("main")
    names.learn("main", "a" * 40)
    names.learn("topic", "b" * 40)
    assert names.get("main") == names.get("a" * 40) == "a" * 40
    assert names.get("b" * 40) == "b" * 40
    assert names.get("topic") is None  # not held: it may move, asked again


def test_a_held_ref_names_the_commit_git_first_gave(tmp_path: Path) -> None:
    """Asked once while the repository object lives (a review of two commits); a ref not
    held follows its branch; an unknown one fails each time it is asked."""
    root = init_repo(tmp_path / "r", {"a.txt": "a\n"})
    repo = open_repository(root)
    git(root, "branch", "topic")
    first = git(root, "rev-parse", "topic").strip()
    repo.refs.hold("topic", "nosuch")
    with started() as runs:
        assert repo.export_files("topic", ["."], tmp_path / "out")
        write(root, "moved.txt", "x\n")
        git(root, "add", "moved.txt")
        git(root, "commit", "-qm", "moved")
        git(root, "branch", "-f", "topic", "HEAD")
        assert repo.tree_listing("topic") == repo.tree_listing(first)
    assert sum(argv[-1] == "topic^{commit}" for argv in runs) == 1
    assert repo.head_sha() == git(root, "rev-parse", "HEAD").strip() != first
    for _ in range(2):
        with pytest.raises(UserInputError, match="unknown revision: nosuch"):
            repo.tree_listing("nosuch")
