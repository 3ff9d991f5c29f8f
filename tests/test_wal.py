"""`wal.read_only`: a SQLite file read where its folder cannot be written, in either journal
mode, as it is; a missing file reads as empty; nothing is ever written through it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop import wal

SCHEMA = "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v BLOB)"


def _written(path: Path, rows: dict[str, bytes], *, in_wal: bool) -> None:
    conn = wal.connect(path) if in_wal else sqlite3.connect(path)
    conn.execute(SCHEMA)
    conn.executemany("INSERT INTO t VALUES (?, ?)", rows.items())
    conn.commit()
    conn.close()


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.dictionaries(st.text(max_size=20), st.binary(max_size=40), max_size=8),
       in_wal=st.booleans())
def test_a_file_reads_as_written_and_refuses_writes(tmp_path_factory: pytest.TempPathFactory,
                                                    rows: dict[str, bytes],
                                                    in_wal: bool) -> None:
    path = tmp_path_factory.mktemp("state") / "runs.sqlite"
    _written(path, rows, in_wal=in_wal)
    before = path.read_bytes()
    conn = wal.read_only(path, (SCHEMA,))
    try:
        assert dict(conn.execute("SELECT k, v FROM t").fetchall()) == rows
        with pytest.raises(sqlite3.OperationalError) as refused:
            conn.execute("INSERT INTO t VALUES ('new', x'00')")
        assert refused.value.sqlite_errorname.startswith("SQLITE_READONLY")
    finally:
        conn.close()
    assert path.read_bytes() == before


def test_a_missing_file_reads_as_empty_and_is_not_made(tmp_path: Path) -> None:
    conn = wal.read_only(tmp_path / "runs.sqlite", (SCHEMA,))
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError) as refused:
            conn.execute("INSERT INTO t VALUES ('k', x'00')")
        assert refused.value.sqlite_errorname.startswith("SQLITE_READONLY")
    finally:
        conn.close()
    assert list(tmp_path.iterdir()) == []
