"""SQLite files that several runs open at once, in write-ahead-log mode.

LangGraph's SQLite saver switches its file to WAL on first use. SQLite answers a switch
that meets another connection's (two runs of `run all --jobs 2` starting on a new
`.reviewloop/checkpoints.sqlite`) with "database is locked" at once: the busy timeout does
not cover a change of journal mode. `connect` makes the switch itself and retries it for as
long as the timeout would have waited; once the file is in WAL mode the saver's own switch
is a no-op that takes no lock.

`read_only` opens such a file where its folder cannot be written (a read-only checkout),
for the commands that only read it, and for the store's health check: a hot journal a killed
writer left (SQLite's crash state) is rolled back first where the folder can be written.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import tenacity

TIMEOUT = 30.0  # seconds, as every other SQLite connection of reviewloop waits


def connect(path: Path | str, *, timeout: float = TIMEOUT) -> sqlite3.Connection:
    """A connection to `path` (shared across threads) whose file is in WAL mode."""
    conn = sqlite3.connect(path, check_same_thread=False, timeout=timeout)
    switch = tenacity.Retrying(
        retry=tenacity.retry_if_exception(_locked),
        wait=tenacity.wait_random_exponential(multiplier=0.01, max=0.25),
        stop=tenacity.stop_after_delay(timeout), reraise=True)
    try:
        switch(conn.execute, "PRAGMA journal_mode=WAL")
    except BaseException:
        conn.close()
        raise
    return conn


def read_only(path: Path, schema: tuple[str, ...] = ()) -> sqlite3.Connection:
    """A connection that only reads `path`, in a folder this user cannot write: SQLite's
    read-only mode, else (a WAL file needs its `-shm` beside it, which it cannot create there)
    the file taken as immutable. A missing file reads as an empty one with `schema`. Any
    write through it fails with SQLITE_READONLY."""
    if not path.exists():
        conn = sqlite3.connect(":memory:")
        for statement in schema:
            conn.execute(statement)
    else:
        conn = _opened(path)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _opened(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=TIMEOUT)
    writable = os.access(path.parent, os.W_OK | os.X_OK)
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if not (writable and _crashed_writer(exc)):
                raise
            conn.close()
            conn = _recovered(path, uri)
        return conn
    except sqlite3.OperationalError:  # WAL without a -shm: nothing can write it here anyway
        conn.close()
        if writable:
            raise  # a busy or damaged file where it could be written: not read as frozen
    except BaseException:  # not a database: the caller names the damage
        conn.close()
        raise
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=TIMEOUT)


def _crashed_writer(exc: sqlite3.OperationalError) -> bool:
    """What a read-only connection meets in a file a writer was killed inside a transaction
    of: a hot `-journal` to roll back (SQLITE_READONLY_ROLLBACK) or a `-wal` index to rebuild
    (SQLITE_READONLY_RECOVERY, _CANTINIT). SQLite's normal crash state, not damage: the next
    connection that may write puts it right, as it would any committed row back."""
    return getattr(exc, "sqlite_errorname", "") in (
        "SQLITE_READONLY_ROLLBACK", "SQLITE_READONLY_RECOVERY", "SQLITE_READONLY_CANTINIT")


def _recovered(path: Path, uri: str) -> sqlite3.Connection:
    """`path` read again after a read-write connection (in a folder this user may write) let
    SQLite roll back or recover what a killed writer left; its first read does that, and
    `query_only` keeps it from writing anything else. Read-only again from there."""
    fixer = sqlite3.connect(path, timeout=TIMEOUT)
    try:
        fixer.execute("PRAGMA query_only = ON")
        fixer.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        fixer.close()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=TIMEOUT)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
