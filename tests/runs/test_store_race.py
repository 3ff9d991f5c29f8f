"""Runs that open a new checkpoint store at the same moment (`run all --jobs 2` in a fresh
checkout) all get it: SQLite refuses a switch to WAL that meets another at once, without
the busy wait, so the store's first opening must not fail on it."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint

from reviewloop import wal
from reviewloop.config import Settings
from reviewloop.errors import StoreDamaged
from reviewloop.runs.store import checkpointer

STORES = 150  # without the retry the race is lost about once in eight: 150 fresh stores find it


Job = Callable[[int, Callable[[], object]], None]


def _together(count: int, job: Job) -> list[BaseException]:
    """Run `job(i, go)` in `count` threads, each past its `go()` at the same instant; their
    errors."""
    start: threading.Barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            job(i, start.wait)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
            start.abort()  # the others stop waiting for a thread that will not come
    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _save_and_read(root: Path) -> Job:
    def job(i: int, go: Callable[[], object]) -> None:
        config: RunnableConfig = {"configurable": {"thread_id": f"run-{i}", "checkpoint_ns": ""}}
        with checkpointer(Settings(), root) as saver:
            go()
            saver.put(config, empty_checkpoint(), {}, {})
            assert saver.get_tuple(config) is not None
    return job


@pytest.mark.parametrize("runs", [2, 3])
def test_runs_opening_a_new_store_together_all_save(tmp_path: Path, runs: int):
    for n in range(STORES):
        root = tmp_path / str(n)
        (root / ".reviewloop").mkdir(parents=True)
        assert _together(runs, _save_and_read(root)) == []


def _mode_of(path: Path, modes: list[str]) -> Job:
    def job(_: int, go: Callable[[], object]) -> None:
        go()
        with closing(wal.connect(path)) as conn:
            modes.append(conn.execute("PRAGMA journal_mode").fetchone()[0])
    return job


def test_connections_opening_a_new_file_together_are_all_in_wal_mode(tmp_path: Path):
    for n in range(STORES):
        modes: list[str] = []
        errors = _together(3, _mode_of(tmp_path / f"{n}.sqlite", modes))
        assert errors == [] and modes == ["wal"] * 3


def test_a_file_that_cannot_be_opened_fails_at_once_with_sqlites_error(tmp_path: Path):
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        wal.connect(tmp_path / "missing" / "store.sqlite", timeout=60)


def test_a_checkpoint_file_that_is_no_database_is_named_damaged(tmp_path: Path):
    (tmp_path / ".reviewloop").mkdir()
    (tmp_path / ".reviewloop" / "checkpoints.sqlite").write_bytes(b"not SQLite at all\n" * 64)
    with pytest.raises(StoreDamaged), checkpointer(Settings(), tmp_path):
        pass


@pytest.mark.parametrize("reading", [False, True])
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_checkpoint_path_that_is_no_file_is_named_damaged(tmp_path: Path, kind: str,
                                                          reading: bool) -> None:
    """A folder (or a pipe) where `checkpoints.sqlite` belongs: `runs` said damaged, but
    `report RUN` and `stats` (which read it) ended in SQLite's "unable to open database
    file", an internal error, exit 3. Now the same damage, naming the path and the repair."""
    place = tmp_path / ".reviewloop" / "checkpoints.sqlite"
    place.parent.mkdir()
    place.mkdir() if kind == "folder" else os.mkfifo(place)
    with pytest.raises(StoreDamaged, match=r"checkpoints\.sqlite is damaged: it is not a file"
                       ) as info, checkpointer(Settings(), tmp_path, reading=reading):
        pass
    assert "runs --repair" in str(info.value)
