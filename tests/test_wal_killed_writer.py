"""A writer killed (SIGKILL) inside a write transaction of a `.reviewloop/` SQLite file leaves
SQLite's normal crash state — a hot `-journal` (the registry's rollback mode) or a `-wal` (the
checkpoint file's): the store's health check and the next run's preflight do not take it for
damage (r25 D2: "runs.sqlite is damaged: attempt to write a readonly database"), the
uncommitted transaction is rolled back and every committed row is still there. Real child
processes killed at generated points; the parent waits on the child's word, never a sleep."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop import wal
from reviewloop.app.preflight import check_store
from reviewloop.config import Settings
from reviewloop.errors import StoreDamaged
from reviewloop.runs.damage import CHECKPOINTS, REGISTRY, health, inspect
from reviewloop.runs.registry import Registry

# Commits `committed` rows (each its own transaction), then starts one more that writes
# `pending` rows of 2 KiB with a tiny page cache (so pages spill to the file and a hot journal
# is left), says "inside" and waits on stdin to be killed.
WRITER = """
import sqlite3, sys
from reviewloop import wal
path, mode, committed, pending = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conn = wal.connect(path) if mode == "wal" else sqlite3.connect(path)
conn.isolation_level = None
conn.execute("CREATE TABLE IF NOT EXISTS rows (n INTEGER PRIMARY KEY, body BLOB)")
start = conn.execute("SELECT count(*) FROM rows").fetchone()[0]
for n in range(start, start + committed):
    conn.execute("INSERT INTO rows VALUES (?, randomblob(2048))", (n,))
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN IMMEDIATE")
for n in range(start + committed, start + committed + pending):
    conn.execute("INSERT INTO rows VALUES (?, randomblob(2048))", (n,))
print("inside", flush=True)
sys.stdin.read()
"""


def _killed_inside(path: Path, mode: str, committed: int, pending: int) -> None:
    """A real writer process killed with SIGKILL once it is inside its write transaction."""
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), mode, str(committed),
                              str(pending)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "inside\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        if child.stdin is not None:
            child.stdin.close()
    assert child.returncode == -signal.SIGKILL


def _rows(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [n for (n,) in conn.execute("SELECT n FROM rows ORDER BY n")]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(["journal", "wal"]), committed=st.integers(1, 6),
       pending=st.integers(1, 400), kills=st.integers(1, 3))
@example(mode="journal", committed=2, pending=300, kills=1)  # the tester's: a hot journal
@example(mode="wal", committed=2, pending=300, kills=2)
def test_a_writer_killed_inside_a_transaction_leaves_no_damage(
        tmp_path_factory: pytest.TempPathFactory, mode: str, committed: int, pending: int,
        kills: int) -> None:
    root = tmp_path_factory.mktemp("repo")
    state = root / ".reviewloop"
    state.mkdir()
    path = state / (REGISTRY if mode == "journal" else CHECKPOINTS)
    for _ in range(kills):  # killed again before anything opened the file in between
        _killed_inside(path, mode, committed, pending)
    if mode == "journal" and pending >= 50:  # its pages spilled: SQLite's crash state
        assert path.with_name(path.name + "-journal").stat().st_size > 0
    assert health(path) is None
    check_store(Settings(), root)  # the next run's preflight: no StoreDamaged
    assert not inspect(root).repairable
    assert _rows(path) == list(range(committed * kills))  # each kill's transaction undone


def test_the_registry_reads_its_runs_after_a_writer_was_killed(tmp_path: Path) -> None:
    """The registry file the tester saw refused: a kill inside its transaction, then the
    next reader and the next writer both work, the runs registered before still there."""
    registry = Registry(tmp_path)
    assert registry.list() == []  # creates the file, as the first run does
    _killed_inside(registry.path, "journal", 3, 300)
    assert registry.path.with_name(REGISTRY + "-journal").exists()
    check_store(Settings(), tmp_path)
    assert registry.list() == []
    with sqlite3.connect(registry.path) as conn:
        assert conn.execute("SELECT count(*) FROM rows").fetchone() == (3,)


def test_real_damage_is_still_named(tmp_path: Path) -> None:
    """The control: a file SQLite cannot read stays damaged once its crash state is put
    right. (Damage the hot journal would undo, its page 1, is undone: that is no control.)"""
    state = tmp_path / ".reviewloop"
    state.mkdir()
    path = state / REGISTRY
    _killed_inside(path, "journal", 2, 300)
    assert _rows(path) == [0, 1]  # a read-write open rolled the journal back
    with path.open("r+b") as f:  # its header overwritten: not a database any more
        f.write(b"\0" * 100)
    assert health(path) is not None
    with pytest.raises(StoreDamaged):
        check_store(Settings(), tmp_path)


def test_a_read_only_open_rolls_back_the_hot_journal_only_where_it_may(tmp_path: Path) -> None:
    """`wal.read_only` in a writable folder reads the committed rows after a kill."""
    path = tmp_path / "runs.sqlite"
    _killed_inside(path, "journal", 4, 300)
    conn = wal.read_only(path)
    try:
        assert conn.execute("SELECT count(*) FROM rows").fetchone() == (4,)
    finally:
        conn.close()
    assert not path.with_name("runs.sqlite-journal").exists() or \
        path.with_name("runs.sqlite-journal").stat().st_size == 0
