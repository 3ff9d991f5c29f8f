"""Tables of the shared Postgres store, created once per database and process.

Two runners starting together on a fresh database both run `CREATE TABLE IF NOT EXISTS`;
Postgres checks the name before it takes the catalog's lock, so the second one can fail on
`pg_type`'s unique index instead of finding the table. Creation therefore runs one runner
at a time, under a transaction-scoped advisory lock. The key is not `store.py`'s: the
checkpoint saver's setup builds indexes CONCURRENTLY, which waits for every open
transaction, and a runner waiting here is one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, LiteralString

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import DictRow

_LOCK = 7_311_403  # pg_advisory_xact_lock key (store.py's session lock is …402)
_created: set[tuple[str, tuple[LiteralString, ...]]] = set()


def create_once(url: str, conn: psycopg.Connection[DictRow],
                statements: tuple[LiteralString, ...]) -> None:
    """Run `statements` (idempotent DDL) on `url`'s database, once in this process."""
    key = (url, statements)
    if key in _created:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        for statement in statements:
            conn.execute(statement)
    _created.add(key)
