"""A review's temporary folders are held while in use: the next review removes those a
killed review left behind, and nothing any live review holds, nothing young, nothing it did
not make, nothing of another user's."""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.held import ABANDONED, HELD, Held, sweep
from reviewloop.git.repository import open_repository
from reviewloop.runs.source import head_tree
from tests.support.repos import feature_branch

NOW = 1_000_000_000.0  # the sweep's clock; each folder's time is set from it
OLD = NOW - ABANDONED - 1
YOUNG = NOW - ABANDONED + 1

_HOLDER = """
import sys
from reviewloop.git.held import Held
held = Held("reviewloop-head-", sys.argv[1])
print(held.name, flush=True)
sys.stdin.read()
"""


def _holder(folder: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process that made a held folder in `folder` and keeps it until killed."""
    process = subprocess.Popen([sys.executable, "-c", _HOLDER, str(folder)], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_folder_a_killed_review_left_is_removed_by_the_next(tmp_path: Path) -> None:
    process, left = _holder(tmp_path)
    (left / "app.py").write_text("x = 1\n")
    os.utime(left, (OLD, OLD))
    try:
        assert sweep(str(tmp_path), now=NOW) == []  # its review is alive: kept
        assert left.is_dir()
    finally:
        process.send_signal(signal.SIGKILL)  # nothing of reviewloop's runs after this
        process.wait()
    assert left.is_dir()
    os.utime(left, (0, 0))  # unchanged since long ago
    made = Held("reviewloop-head-", str(tmp_path))  # the next review
    try:
        assert not left.exists()
        assert Path(made.name).is_dir()
    finally:
        made.cleanup()
    assert list(tmp_path.iterdir()) == []


# an entry of the folder swept: how it is named, what it is, whether a live process holds
# it, whether it changed lately, whether it is someone else's
NAMES = st.sampled_from(("reviewloop-head-{}" + HELD, "reviewloop-base-{}" + HELD,
                         "reviewloop-head-{}", "other-{}" + HELD, "reviewloop-head-{}-kept"))
KINDS = st.sampled_from(("folder", "file", "link"))
OWNERS = st.sampled_from(("own", "other")) if os.geteuid() == 0 else st.just("own")
ENTRIES = st.lists(st.tuples(NAMES, KINDS, st.booleans(), st.booleans(), OWNERS),
                   max_size=8)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=ENTRIES)
def test_a_sweep_removes_exactly_the_folders_left_behind(
        tmp_path: Path, entries: list[tuple[str, str, bool, bool, str]]) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    target = Path(tempfile.mkdtemp(dir=tmp_path))  # what a link points to
    (target / "keep.txt").write_text("kept")
    holds, left, kept = [], set(), set()
    for n, (name, kind, held, young, owner) in enumerate(entries):
        path = folder / name.format(n)
        if kind == "folder":
            path.mkdir()
            (path / "inner").mkdir()
            (path / "inner" / "f.py").write_text("x = 1\n")
        elif kind == "file":
            path.write_text("x")
        else:
            path.symlink_to(target, target_is_directory=True)
        if owner == "other":
            os.chown(path, 12345, -1, follow_symlinks=False)
        if held and kind == "folder":
            hold = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
            holds.append(hold)
        stamp = YOUNG if young else OLD
        os.utime(path, (stamp, stamp), follow_symlinks=False)
        behind = (name.startswith("reviewloop-") and name.endswith(HELD) and kind == "folder"
                  and not held and not young and owner == "own")
        (left if behind else kept).add(path.name)
    try:
        removed = sweep(str(folder), now=NOW)
    finally:
        for hold in holds:
            os.close(hold)
    assert {Path(p).name for p in removed} == left
    assert {p.name for p in folder.iterdir()} == kept
    assert (target / "keep.txt").read_text() == "kept"


def test_a_held_folder_is_held_until_cleaned_up_or_dropped(tmp_path: Path) -> None:
    made = Held("reviewloop-base-", str(tmp_path))
    path = Path(made.name)
    assert path.name.startswith("reviewloop-base-") and path.name.endswith(HELD)
    (path / "deep" / "er").mkdir(parents=True)
    os.utime(path, (0, 0))
    assert sweep(str(tmp_path), now=NOW) == []  # this process holds it
    made.cleanup()
    made.cleanup()  # again: nothing
    assert not path.exists()
    dropped = Path(Held("reviewloop-base-", str(tmp_path)).name)
    gc.collect()  # as `TemporaryDirectory`: a folder no one refers to is removed
    assert not dropped.exists()


def test_where_nothing_can_be_locked_a_folder_is_used_and_never_swept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_locks(_fd: int, _operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)  # a network mount without lock support
    made = Held("reviewloop-head-", str(tmp_path))
    os.utime(made.name, (0, 0))
    assert sweep(str(tmp_path), now=NOW) == []
    assert Path(made.name).is_dir()
    made.cleanup()
    assert not Path(made.name).exists()


def test_only_reviewloop_s_folders_are_made_held() -> None:
    with pytest.raises(ValueError, match="reviewloop-"):
        Held("tmp-")


def test_a_head_s_export_is_held_while_the_review_reads_it(tmp_path: Path) -> None:
    root = feature_branch(tmp_path / "repo", {"app.py": b"x = 1\n"})
    with head_tree(open_repository(root), "feature") as tree:
        assert tree is not None and tree.name.endswith(HELD)
        os.utime(tree, (0, 0))
        assert sweep(str(tree.parent), now=NOW) == []
        assert (tree / "app.py").read_bytes() == b"x = 1\n"
    assert not tree.exists()
