"""Where run state lives: SQLite under `.reviewloop/` (default) or a shared Postgres.

`checkpoint_url = "postgresql://…"` (or `REVIEWLOOP_CHECKPOINT_URL`) puts LangGraph's
checkpoints (`langgraph-checkpoint-postgres`) and the run registry in one database that
every runner of a batch reaches, so a run a dead runner left behind can be resumed from
another process or machine. Connections follow LangGraph's notes for Postgres:
autocommit, dict rows, no prepared statements (PgBouncer-safe); the saver's `setup()`
runs once per database under an advisory lock, so runners starting together do not race.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop import wal
from reviewloop.config import Settings
from reviewloop.errors import ConfigError, UserInputError
from reviewloop.runs.registry import Registry, RunStore, not_a_file, state_dir, store_damaged
from reviewloop.state_dir import read_only_state, state_folder

if TYPE_CHECKING:
    import psycopg
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from psycopg.rows import DictRow  # imported again at run time in connect()

    from reviewloop.runs.carry import WorkKeeper

CHECKPOINTS = "checkpoints.sqlite"  # LangGraph's SQLite saver, beside the registry
_SETUP_LOCK = 7_311_402  # pg_advisory_lock key for schema setup
_ready: set[str] = set()
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewloop_runs (
    run_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    task_title TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    options JSONB NOT NULL,
    batch TEXT,
    commit_sha TEXT,
    detail TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    seq BIGSERIAL
)"""
# A run's work as the latest save left it (`runs.carry`), as in `registry._WORK_SCHEMA`
_WORK_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewloop_run_work (
    run_id TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    head TEXT NOT NULL,
    tree TEXT NOT NULL,
    pack BYTEA NOT NULL,
    updated TEXT NOT NULL
)"""


def postgres_url(settings: Settings) -> str | None:
    url = settings.checkpoint_url
    if url is None:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"checkpoint_url must be a postgresql:// URL (got {url[:20]!r}…)",
                          where="checkpoint_url",
                          fix='set checkpoint_url = "postgresql://user@host/db", or remove '
                              "it to keep SQLite under .reviewloop/")
    return url


def connect(url: str) -> psycopg.Connection[DictRow]:
    """A psycopg connection as LangGraph's Postgres saver needs it."""
    try:
        import psycopg
        from psycopg.rows import DictRow, dict_row
    except ImportError:
        raise ConfigError("checkpoint_url needs the `postgres` extra",
                          where="checkpoint_url",
                          fix="pip install 'reviewloop[postgres]'") from None
    try:
        conn = psycopg.Connection[DictRow].connect(url, autocommit=True, row_factory=dict_row,
                                          connect_timeout=10)
        conn.prepare_threshold = None  # no prepared statements: PgBouncer-safe
        return conn
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserInputError(f"cannot reach the checkpoint database: {first}",
                             where="checkpoint_url",
                             fix="check the URL, the server and the credentials") from None


def state_serde() -> JsonPlusSerializer:
    """The checkpoint serializer: it revives the loop state's own classes and LangGraph's
    safe types, nothing else (LangGraph's default would revive any class it is named)."""
    # Deferred, like the savers: LangGraph loads only where checkpoints are read or written.
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from reviewloop.graph.state import STATE_TYPES

    return JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES)


@contextmanager
def checkpointer(settings: Settings, root: Path, keeper: WorkKeeper | None = None, *,
                 reading: bool = False) -> Iterator[BaseCheckpointSaver]:
    """The LangGraph checkpoint saver for this project's settings, open for one use; with
    `keeper`, one that saves the run's work before each save of its own (`runs.carry`).
    `reading` (report, stats): in a state folder this user cannot write, read it as it is."""
    from reviewloop.runs.carry import carrying

    url = postgres_url(settings)
    if url is None:
        from langgraph.checkpoint.sqlite import SqliteSaver

        read_only = reading and read_only_state(root)
        path = (state_folder(root) if read_only else state_dir(root)) / CHECKPOINTS
        not_a_file(path)  # a folder there: damaged (`runs --repair`), not "cannot open"
        lite: sqlite3.Connection | None = None
        try:  # a file that is no database fails its first statement: the switch to WAL
            if read_only:  # no setup (it writes): a file without its tables is damaged
                lite = wal.read_only(path) if path.exists() else sqlite3.connect(":memory:")
                reader = SqliteSaver(lite, serde=state_serde())
                reader.is_setup = path.exists()
                yield reader
                return
            lite = wal.connect(path)
            yield carrying(SqliteSaver, keeper)(lite, serde=state_serde())
        except sqlite3.DatabaseError as exc:
            damaged = store_damaged(path, exc)
            if damaged is None:
                raise
            raise damaged from exc
        finally:
            if lite is not None:
                lite.close()
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    with connect(url) as conn:
        saver = carrying(PostgresSaver, keeper)(conn, serde=state_serde())
        _setup_once(url, conn, saver.setup)
        yield saver


def registry_for(settings: Settings, root: Path) -> Registry | PostgresRegistry:
    url = postgres_url(settings)
    return PostgresRegistry(url) if url else Registry(root)


def _setup_once(url: str, conn: psycopg.Connection[DictRow],
                setup: Callable[[], None]) -> None:
    if url in _ready:
        return
    # Polled, not waited for: the saver's migrations build indexes CONCURRENTLY, which wait
    # for every open transaction — a runner blocked in pg_advisory_lock is one, so two
    # runners setting up a fresh database at once would deadlock.
    while not (conn.execute("SELECT pg_try_advisory_lock(%s) AS got",
                            (_SETUP_LOCK,)).fetchone() or {}).get("got"):
        time.sleep(0.2)
    try:
        setup()
        conn.execute(_SCHEMA)
        conn.execute(_WORK_SCHEMA)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))
    _ready.add(url)


class PostgresRegistry(RunStore):
    """The run registry (same operations as `runs.Registry`) in the shared database."""

    table = "reviewloop_runs"
    work_table = "reviewloop_run_work"
    order = "seq"
    mark = "%s"

    def __init__(self, url: str):
        self.url = url
        self.path = url.rpartition("@")[2]  # shown in messages, no credentials

    @contextmanager
    def _db(self) -> Iterator[Any]:
        with connect(self.url) as conn:
            if self.url not in _ready:
                from langgraph.checkpoint.postgres import PostgresSaver

                _setup_once(self.url, conn, PostgresSaver(conn).setup)
            yield conn
