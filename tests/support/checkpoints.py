"""What a running loop has saved, read straight from its checkpoint store, and the passing of
a lease's time — so a test waits for the state it needs instead of sleeping for it.

Both savers keep a finished task's writes as soon as the task ends (that is what lets a
resumed run skip it); the tables are LangGraph's: `writes`/`checkpoints` in SQLite,
`checkpoint_writes`/`checkpoints` in Postgres.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

_FINISHED_REVIEWS = """
SELECT COUNT(DISTINCT task_id) FROM {writes}
WHERE channel = 'reviews' AND checkpoint_id = (SELECT MAX(checkpoint_id) FROM checkpoints)"""


def reviews_saved_in_sqlite(root: Path) -> Callable[[], int]:
    """How many reviewer branches of the current round the run under `root` has saved."""
    path = root / ".reviewloop" / "checkpoints.sqlite"

    def count() -> int:
        if not path.exists():
            return 0
        # closing(): sqlite3's own context manager commits, it never closes (a poll
        # loop leaked a connection, three descriptors, each 50 ms)
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            try:
                return conn.execute(_FINISHED_REVIEWS.format(writes="writes")).fetchone()[0]
            except sqlite3.OperationalError:  # the saver has not made its tables yet
                return 0
    return count


def reviews_saved_in_postgres(url: str) -> Callable[[], int]:
    """The same count for a run checkpointed in the Postgres database at `url`."""
    import psycopg

    def count() -> int:
        with psycopg.connect(url) as conn:
            try:
                row = conn.execute(_FINISHED_REVIEWS.format(writes="checkpoint_writes"))
                return row.fetchone()[0]  # type: ignore[index]
            except psycopg.errors.UndefinedTable:
                return 0
    return count


def expire_lease(url: str, run_id: str) -> None:
    """Let the lease on `run_id` run out now: what its TTL passing would do, by the same
    database clock the lease is judged by."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        done = conn.execute("UPDATE reviewloop_leases SET expires = now() - interval '1 second' "
                            "WHERE run_id = %s", (run_id,))
        assert done.rowcount == 1, f"no lease on run {run_id}"
