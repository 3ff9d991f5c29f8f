"""Where a head commit's files are exported: in memory when there is room for twice them,
in the temporary folder otherwise, and never against the user's TMPDIR."""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.git.repository import open_repository
from reviewloop.git.scratch import place_for, tree_bytes
from tests.support.repos import feature_branch


def test_the_size_is_the_commit_s_regular_files(tmp_path: Path) -> None:
    root = feature_branch(tmp_path / "repo", {"a.py": b"x = 1\n", "pkg/b.txt": b"hello"},
                          links={"link.py": "a.py"})
    repo = open_repository(root)
    # README.md (8 bytes) from main, both files of the feature; the link is not a file
    assert tree_bytes(repo, "feature") == len("project\n") + 6 + 5
    assert tree_bytes(repo, "main") == len("project\n")


def test_memory_is_used_when_it_has_room_for_twice_the_files(tmp_path: Path) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    stats = os.statvfs(memory)
    free = stats.f_bavail * stats.f_frsize
    assert place_for(1000, memory, environ={}) == str(memory)
    assert place_for(free, memory, environ={}) is None  # no room for twice the files


def test_the_user_s_tmpdir_and_a_missing_memory_folder_keep_the_temporary_folder(
        tmp_path: Path) -> None:
    memory = tmp_path / "shm"
    memory.mkdir()
    assert place_for(1000, memory, environ={"TMPDIR": str(tmp_path)}) is None
    assert place_for(1000, tmp_path / "none", environ={}) is None
