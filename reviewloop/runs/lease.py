"""Who drives a run: a lease row (owner, expiry) in the shared Postgres database.

Two runners pointed at one database must never drive the same run. A runner takes the
lease before it touches a run, renews it at every node boundary (and from a heartbeat
thread while a long node runs), and gives it back when it stops. A runner that dies
(kill -9, a cancelled CI job) stops renewing; once the lease has expired any other runner
may take it and resume the run. Expiry is judged by the database's clock, so runners'
clocks need not agree.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Self

from reviewloop.errors import ReviewloopError, UserInputError

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import DictRow  # imported again at run time in _connect()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewloop_leases (
    run_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
)"""
_TAKE = """
INSERT INTO reviewloop_leases (run_id, owner, expires)
VALUES (%(run)s, %(owner)s, now() + make_interval(secs => %(ttl)s))
ON CONFLICT (run_id) DO UPDATE SET owner = EXCLUDED.owner, expires = EXCLUDED.expires
WHERE reviewloop_leases.expires < now() OR reviewloop_leases.owner = EXCLUDED.owner
RETURNING owner"""
_RENEW = """
UPDATE reviewloop_leases SET expires = now() + make_interval(secs => %(ttl)s)
WHERE run_id = %(run)s AND owner = %(owner)s RETURNING owner"""


class LeaseHeld(UserInputError):
    """Another live runner drives this run."""


class LeaseLost(ReviewloopError):
    """This runner's lease expired and another runner took the run over."""


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class Lease:
    """One runner's claim on one run. Use as a context manager around driving it."""

    url: str
    run_id: str
    ttl: float = 120.0
    owner: str = field(default_factory=new_owner)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _beat: threading.Thread | None = field(default=None, init=False)
    lost: bool = field(default=False, init=False)

    def acquire(self) -> None:
        with _connect(self.url) as conn:
            conn.execute(_SCHEMA)
            row = conn.execute(_TAKE, self._args()).fetchone()
            if row is None:
                holder = conn.execute(
                    "SELECT owner, expires - now() AS left FROM reviewloop_leases "
                    "WHERE run_id = %s", (self.run_id,)).fetchone()
                who, left = (holder["owner"], holder["left"]) if holder else ("?", None)
                wait = f" (expires in {left.total_seconds():.0f} s)" if left else ""
                raise LeaseHeld(f"run {self.run_id} is being driven by {who}{wait}",
                                where=_redact(self.url),
                                fix="let that runner finish; if it died, resume after its "
                                    "lease expires")
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, daemon=True,
                                      name=f"lease-{self.run_id}")
        self._beat.start()

    def renew(self) -> None:
        """Extend the lease; LeaseLost when another runner has taken the run."""
        with _connect(self.url) as conn:
            if conn.execute(_RENEW, self._args()).fetchone() is None:
                self.lost = True
        if self.lost:
            raise LeaseLost(f"lost the lease on run {self.run_id}; another runner took it")

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
        with _connect(self.url) as conn:
            conn.execute("DELETE FROM reviewloop_leases WHERE run_id = %s AND owner = %s",
                         (self.run_id, self.owner))

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.renew()
            except LeaseLost:
                return
            except Exception:  # noqa: BLE001 - a blip; the next beat or node retries
                continue

    def _args(self) -> dict:
        return {"run": self.run_id, "owner": self.owner, "ttl": float(self.ttl)}


def _connect(url: str) -> psycopg.Connection[DictRow]:
    import psycopg
    from psycopg.rows import DictRow, dict_row

    conn = psycopg.Connection[DictRow].connect(url, autocommit=True, row_factory=dict_row)
    conn.prepare_threshold = None  # no prepared statements: PgBouncer-safe
    return conn


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    return f"{scheme}{sep}{creds.split(':', 1)[0]}@{host}"
