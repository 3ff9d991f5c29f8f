"""Who drives a run: a lease row (owner, holder, expiry) in the shared Postgres database.

Two runners pointed at one database must never drive the same run. A runner takes the
lease before it touches a run, renews it at every node boundary and from a heartbeat thread
(every `beat` seconds, 5 by default), and gives it back when it stops. The row names the
holder process (`runs/liveness.py`), so a resumer on the holder's own host takes the lease
over at once when that process is gone (kill -9, a reused pid, a reboot), and never while
it lives, paused or not. A holder on another host is judged by its heartbeat: its lease
expires `ttl` seconds (20 by default) after its last beat, by the database's clock, so
runners' clocks need not agree.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from reviewloop.errors import ReviewloopError, UserInputError
from reviewloop.runs import liveness
from reviewloop.runs.liveness import Holder, Verdict
from reviewloop.runs.pg_tables import create_once

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import DictRow  # imported again at run time in _connect()

TTL, BEAT = 20.0, 5.0  # the defaults of settings.lease_seconds / lease_beat_seconds
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS reviewloop_leases (run_id TEXT PRIMARY KEY, "
    "owner TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL)",
    # added by 0.x: who holds it and what it drives (rows of older runners have neither)
    "ALTER TABLE reviewloop_leases ADD COLUMN IF NOT EXISTS holder TEXT, "
    "ADD COLUMN IF NOT EXISTS driving TEXT",
)
_INSERT = """
INSERT INTO reviewloop_leases (run_id, owner, holder, driving, expires)
VALUES (%(run)s, %(owner)s, %(holder)s, %(driving)s, now() + make_interval(secs => %(ttl)s))
ON CONFLICT (run_id) DO NOTHING RETURNING owner"""
_HOLDER = """
SELECT owner, holder, driving, expires < now() AS expired,
       GREATEST(EXTRACT(EPOCH FROM expires - now()), 0) AS left
FROM reviewloop_leases WHERE run_id = %(run)s"""
_STEAL = """
UPDATE reviewloop_leases SET owner = %(owner)s, holder = %(holder)s, driving = %(driving)s,
       expires = now() + make_interval(secs => %(ttl)s)
WHERE run_id = %(run)s AND owner = %(seen)s RETURNING owner"""
_RENEW = """
UPDATE reviewloop_leases SET expires = now() + make_interval(secs => %(ttl)s)
WHERE run_id = %(run)s AND owner = %(owner)s RETURNING owner"""

class LeaseHeld(UserInputError):
    """Another live runner drives this run."""

    def __init__(self, message: str, *, driving: str | None = None, by: str = "?", **kw: Any):
        super().__init__(message, **kw)
        self.driving = driving  # the run the holder drives, when it said
        self.by = by  # who holds it and in what state, for messages


class LeaseLost(ReviewloopError):
    """This runner's lease expired and another runner took the run over."""


def takeable(seen: dict[str, Any], here: Holder) -> bool:
    """May `here` take a lease row it found held? Its holder's process decides when this
    host can see it; otherwise (another host, a row of an older runner) its expiry does."""
    holder = liveness.loads(seen["holder"]) if seen.get("holder") else None
    judged = liveness.verdict(holder, here) if holder else Verdict.UNKNOWN
    if judged is Verdict.UNKNOWN:
        return bool(seen["expired"])
    return judged is Verdict.DEAD


@dataclass
class Lease:
    """One runner's claim on one run. Use as a context manager around driving it."""

    url: str
    run_id: str
    ttl: float = TTL
    beat: float = BEAT  # seconds between heartbeats; injectable so tests need not wait
    holder: Holder = field(default_factory=liveness.me)
    driving: str | None = None  # the run this lease is for, when its key is not the run id
    owner: str = ""
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _beat: threading.Thread | None = field(default=None, init=False)
    lost: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.owner = self.owner or f"{self.holder.host}:{self.holder.pid}:{secrets.token_hex(3)}"

    def acquire(self) -> None:
        with _connect(self.url) as conn:
            create_once(self.url, conn, _SCHEMA)
            self._take(conn)
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, daemon=True,
                                      name=f"lease-{self.run_id}")
        self._beat.start()

    def _take(self, conn: psycopg.Connection[DictRow]) -> None:
        # A row can change between reading it and stealing it (another resumer, a release):
        # the steal is a compare-and-set on the owner seen, and a lost race reads again.
        for _ in range(5):
            if conn.execute(_INSERT, self._args()).fetchone() is not None:
                return
            seen = conn.execute(_HOLDER, self._args()).fetchone()
            if seen is None:
                continue  # released meanwhile
            if not takeable(seen, self.holder):
                raise self._held(seen)
            if conn.execute(_STEAL, {**self._args(), "seen": seen["owner"]}
                            ).fetchone() is not None:
                return
        raise LeaseHeld(f"run {self.run_id}: the lease changed hands five times while taking "
                        "it", where=_redact(self.url), fix="try again")

    def _held(self, seen: dict[str, Any]) -> LeaseHeld:
        holder = liveness.loads(seen["holder"]) if seen.get("holder") else None
        who = holder.shown() if holder else seen["owner"]
        if holder and liveness.verdict(holder, self.holder) is Verdict.ALIVE:
            state = ("a live process on this machine" +
                     (", paused or stuck: its lease has run out" if seen["expired"] else ""))
            fix = f"let it finish, or stop it (kill {holder.pid}) and resume"
        else:
            state = f"its lease expires in {float(seen['left']):.0f} s without a heartbeat"
            fix = "let that runner finish; if it died, resume once its lease has expired"
        return LeaseHeld(f"run {self.run_id} is being driven by {who} ({state})",
                         where=_redact(self.url), fix=fix, driving=seen.get("driving"),
                         by=f"{who} ({state})")

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
        while not self._stop.wait(self.beat):
            try:
                self.renew()
            except LeaseLost:
                return
            except Exception:  # noqa: BLE001 - a blip; the next beat or node retries
                continue

    def _args(self) -> dict:
        return {"run": self.run_id, "owner": self.owner, "ttl": float(self.ttl),
                "holder": self.holder.dumps(), "driving": self.driving or self.run_id}


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
