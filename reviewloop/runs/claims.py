"""One run per task at a time: the claim a run's driver holds on its task while it drives.

`start` takes the claim before it creates anything (worktree, branch, registry row) and
`resume` before it drives; both give it back when the run stops (awaiting approval, done,
failed). Taking it is atomic, so of two runs of one task started at the same moment exactly
one drives and the other is refused (exit 2) naming it. A claim whose holder process is gone
(`runs/liveness.py`) is no claim: a crashed run blocks neither a new run nor its resume.

Local state keeps the claims in `.reviewloop/claims.sqlite` (taken under `BEGIN
IMMEDIATE`); shared state takes a lease row keyed by the task in Postgres (`runs/lease.py`),
so runners on other machines are excluded too and a dead one's claim ends with its heartbeat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.runs import liveness
from reviewloop.runs.budget import spec_key
from reviewloop.runs.lease import Lease, LeaseHeld
from reviewloop.runs.liveness import Holder, Verdict
from reviewloop.runs.registry import state_dir
from reviewloop.runs.store import postgres_url

CLAIMS = "claims.sqlite"  # in .reviewloop/: only which runs are being driven right now
_SCHEMA = "CREATE TABLE IF NOT EXISTS claims (task TEXT PRIMARY KEY, run_id TEXT NOT NULL, " \
          "holder TEXT NOT NULL)"


class RunInProgress(UserInputError):
    """Another live process drives a run of this task."""


@dataclass(frozen=True)
class TaskRef:
    """A task as every clone names it: its spec's path in the repository and its id."""

    spec: str
    task_id: str

    @classmethod
    def of(cls, spec_file: Path, root: Path, task_id: str) -> TaskRef:
        return cls(spec_key(spec_file, root), task_id)

    @property
    def key(self) -> str:
        return f"task:{self.spec}#{self.task_id}"


def claimed(settings: Settings, root: Path, task: TaskRef,
            run_id: str) -> AbstractContextManager[None]:
    """Hold the claim on `task` for `run_id` while the block runs; RunInProgress if taken."""
    url = postgres_url(settings)
    if url is None:
        return _local(state_dir(root) / CLAIMS, task, run_id)
    return _shared(Lease(url, task.key, ttl=settings.lease_seconds,
                         beat=settings.lease_beat_seconds, driving=run_id), task, run_id)


@contextmanager
def _shared(lease: Lease, task: TaskRef, run_id: str) -> Iterator[None]:
    try:
        lease.acquire()
    except LeaseHeld as held:
        raise refused(task, run_id, held.driving or "?", held.by, where=held.where) from None
    try:
        yield
    finally:
        lease.release()


@contextmanager
def _local(path: Path, task: TaskRef, run_id: str) -> Iterator[None]:
    here = liveness.me()
    _take(path, task, run_id, here)
    try:
        yield
    finally:
        _give_back(path, task, run_id, here)


def _give_back(path: Path, task: TaskRef, run_id: str, here: Holder) -> None:
    try:
        with _open(path) as db:
            db.execute("DELETE FROM claims WHERE task = ? AND run_id = ? AND holder = ?",
                       (task.key, run_id, here.dumps()))
    except UserInputError:
        pass  # a claim left behind names this process, dead once it exits: it blocks nothing


def _take(path: Path, task: TaskRef, run_id: str, here: Holder) -> None:
    with _open(path) as db:
        db.execute("BEGIN IMMEDIATE")  # the read and the write below are one step
        row = db.execute("SELECT run_id, holder FROM claims WHERE task = ?",
                         (task.key,)).fetchone()
        holder = liveness.loads(row[1]) if row else None
        # Unknown (a process of another host sharing this folder) cannot be judged: it holds.
        if holder is not None and liveness.verdict(holder, here) is not Verdict.DEAD:
            db.execute("ROLLBACK")
            raise refused(task, run_id, row[0], holder.shown(), where=str(path))
        db.execute("INSERT OR REPLACE INTO claims (task, run_id, holder) VALUES (?, ?, ?)",
                   (task.key, run_id, here.dumps()))
        db.execute("COMMIT")


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
            db.execute(_SCHEMA)
            yield db
    except sqlite3.OperationalError as exc:  # locked past the timeout, read-only, …
        raise UserInputError(f"cannot use the run claims database: {exc}", where=str(path),
                             fix="try again once the other reviewloop process has started "
                                 "(or check that .reviewloop/ is writable)") from None
    except sqlite3.DatabaseError as exc:  # not a database any more
        raise UserInputError(f"cannot use the run claims database: {exc}", where=str(path),
                             fix="delete it: it only records which runs are being driven, "
                                 "and no reviewloop process may be running") from None


def refused(task: TaskRef, run_id: str, running: str, by: str, *,
            where: str | None) -> RunInProgress:
    """The refusal, naming the run in progress (`by` whom) and what to do."""
    if running == run_id:
        return RunInProgress(f"run {run_id} is being driven by {by}", where=where,
                             fix="let it finish; `reviewloop runs` shows where it stands")
    return RunInProgress(
        f"task {task.task_id} of {task.spec} has a run in progress: {running}, driven by {by}",
        where=where,
        fix=f"let it finish (`reviewloop runs` shows it), then approve or resume it "
            f"(`reviewloop resume {running}`); if that process hangs, stop it first")
