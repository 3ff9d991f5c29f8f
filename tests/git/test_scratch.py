"""Where a head commit's files are exported: in memory when there is room for twice them,
in the temporary folder otherwise, and never against the user's TMPDIR."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from reviewloop.git.repository import open_repository
from reviewloop.git.scratch import EXPORT_PREFIX, LazyFolder, beside, place_for, tree_bytes
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


def test_sizing_then_exporting_a_commit_lists_its_tree_once(tmp_path: Path,
                                                            monkeypatch) -> None:
    """A review sizes its head's files (`tree_bytes`), then exports them: one `ls-tree` of
    the commit (0.05 s of git at 5,000 files), the same files either way."""
    root = feature_branch(tmp_path / "repo", {"a.py": b"x = 1\n", "pkg/b.txt": b"hello"})
    log, shim = tmp_path / "git.log", tmp_path / "bin"
    shim.mkdir()
    real = shutil.which("git")
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    (shim / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim}{os.pathsep}{os.environ['PATH']}")
    repo = open_repository(root)

    size = tree_bytes(repo, "feature")
    written = repo.export_files("feature", ["."], tmp_path / "out")

    assert size == len("project\n") + 6 + 5
    assert sorted(written) == ["README.md", "a.py", "pkg/b.txt"]
    assert (tmp_path / "out" / "pkg" / "b.txt").read_bytes() == b"hello"
    assert len([line for line in log.read_text().splitlines() if " ls-tree " in line]) == 1


def test_what_goes_with_a_head_exported_in_memory_is_made_beside_it(tmp_path: Path,
                                                                    monkeypatch) -> None:
    """A change's base versions go where its head's export is: in memory when it is there
    (placed with room for twice its files), else in the temporary folder; a link into the
    memory folder is in it. A checkout kept in memory was weighed by nothing: its base goes
    to the temporary folder."""
    monkeypatch.setattr("reviewloop.git.scratch.SPARE", 0)  # whatever this disk has free
    memory = tmp_path / "shm"
    head = memory / f"{EXPORT_PREFIX}x1"
    head.mkdir(parents=True)
    (memory / "checkout").mkdir()
    (tmp_path / "link").symlink_to(memory)
    (tmp_path / "checkout").mkdir()

    assert beside(head, memory, environ={}) == str(memory)
    assert beside(tmp_path / "link" / head.name, memory, environ={}) == str(memory)
    assert beside(tmp_path / "checkout", memory, environ={}) is None
    assert beside(memory / "checkout", memory, environ={}) is None
    # the user's TMPDIR is theirs, as for the head's export
    assert beside(head, memory, environ={"TMPDIR": str(tmp_path)}) is None


def test_an_analyzers_folder_is_made_only_for_a_file_placed_in_it(tmp_path: Path,
                                                                   monkeypatch) -> None:
    """Most bandit and ruff runs write no notebook script or config: no folder is made for
    them; one that is used is removed on exit, with what was written in it."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with LazyFolder("reviewloop-x-"):
        pass
    assert list(tmp_path.iterdir()) == []
    with LazyFolder("reviewloop-x-") as folder:
        (folder / "bandit.yaml").write_text("{}")
        (made,) = tmp_path.iterdir()
        assert made.name.startswith("reviewloop-x-") and (made / "bandit.yaml").is_file()
    assert list(tmp_path.iterdir()) == []
