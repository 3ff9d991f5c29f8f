"""A damaged `.reviewloop/` store: what cannot be read, and `runs --repair`, which moves the
damaged files aside into `.reviewloop/damaged-<time>/` and rebuilds them from what still reads.

Nothing is deleted: the damaged originals stay in that folder for a bug report or for
`sqlite3 .recover`. The registry is rebuilt from its readable rows; the checkpoint file from
every table row SQLite can still read (a run whose checkpoints are lost then says so on
`resume`, with its fix). Only the SQLite store has files to repair; a shared Postgres store
is the database administrator's.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reviewloop import wal
from reviewloop.runs.registry import (
    UNFINISHED,
    Registry,
    RunRecord,
    crashed,
    scan,
)
from reviewloop.state_dir import STATE_DIR, state_folder

REGISTRY = "runs.sqlite"
CHECKPOINTS = "checkpoints.sqlite"
SPEC_SESSIONS = "spec-sessions.sqlite"  # `spec new`'s sessions (authoring/sessions.py)
_SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's own files beside a database


@dataclass
class Damage:
    """What of the SQLite store cannot be read: a line each, and the runs that do read."""

    records: list[RunRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    registry_damaged: bool = False
    checkpoints_damaged: bool = False
    spec_sessions_damaged: bool = False
    unresumable: set[str] = field(default_factory=set)  # stopped runs with no checkpoint

    @property
    def repairable(self) -> bool:
        """A file or row `repair` would move aside (a lost checkpoint it cannot bring back)."""
        return self.registry_damaged or self.checkpoints_damaged or self.spec_sessions_damaged


def inspect(root: Path) -> Damage:
    """Read the registry row by row and check the checkpoint file; create nothing."""
    state = state_folder(root)  # exit 2 when a file is there: not "no runs yet"
    found = Damage()
    if (state / REGISTRY).exists():  # a folder there is a damaged registry, not none
        found.records, unreadable, damage = scan(Registry(root))
        found.problems += unreadable
        if damage is not None:
            found.problems.append(str(damage).splitlines()[0])
        found.registry_damaged = bool(unreadable) or damage is not None
    reason = health(state / CHECKPOINTS)
    if reason is not None:
        found.problems.append(f"{state / CHECKPOINTS}: {CHECKPOINTS} is damaged: {reason}")
        found.checkpoints_damaged = True
    else:
        lost = _without_checkpoint(state / CHECKPOINTS, [
            r for r in found.records if r.status in UNFINISHED
            and not (r.status == "running" and not crashed(root, r))])  # live: not saved yet
        found.unresumable = {r.run_id for r in lost}
        found.problems += [_lost(r) for r in lost]
    reason = health(state / SPEC_SESSIONS)
    if reason is not None:
        found.problems.append(f"{state / SPEC_SESSIONS}: {SPEC_SESSIONS} is damaged: {reason}")
        found.spec_sessions_damaged = True
    return found


def health(path: Path) -> str | None:
    """Why SQLite cannot read the file at `path`, or None (also when there is no file)."""
    if not path.exists():
        return None
    if not path.is_file():
        return "it is not a file"
    try:
        with _read_only(path) as db:
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.DatabaseError as exc:
        return (str(exc).splitlines() or [type(exc).__name__])[0]
    return None if verdict and verdict[0] == "ok" else str(verdict[0] if verdict else "?")


def repair(root: Path, now: datetime | None = None) -> list[str]:
    """Move each damaged file into `.reviewloop/damaged-<time>/` and rebuild it from what
    reads; a line per thing done (none when nothing is damaged)."""
    state = root / STATE_DIR
    found = inspect(root)
    folder = state / f"damaged-{(now or datetime.now(UTC)).strftime('%Y%m%d-%H%M%S')}"
    done: list[str] = []
    if found.registry_damaged:
        _move_aside(state / REGISTRY, folder)
        fresh = Registry(root)
        for record in reversed(found.records):  # oldest first, as they were created
            fresh.restore(record)
        done.append(f"moved {REGISTRY} to {_shown(root, folder / REGISTRY)}; kept "
                    f"{len(found.records)} run(s) that could be read")
    if found.checkpoints_damaged:
        moved = _move_aside(state / CHECKPOINTS, folder)
        copied = _salvage(moved, state / CHECKPOINTS)
        done.append(f"moved {CHECKPOINTS} to {_shown(root, moved)}; kept {copied} "
                    "checkpoint row(s) that could be read")
    if found.spec_sessions_damaged:
        moved = _move_aside(state / SPEC_SESSIONS, folder)
        copied = _salvage(moved, state / SPEC_SESSIONS)
        done.append(f"moved {SPEC_SESSIONS} to {_shown(root, moved)}; kept {copied} "
                    "spec session row(s) that could be read")
    return done


def _without_checkpoint(path: Path, records: list[RunRecord]) -> list[RunRecord]:
    """The stopped `records` the checkpoint file has nothing of."""
    threads: set[str] = set()
    if path.is_file():
        try:
            with _read_only(path) as db:
                threads = {row[0] for row in db.execute(
                    "SELECT DISTINCT thread_id FROM checkpoints")}
        except sqlite3.DatabaseError:
            threads = set()  # no table yet: nothing was ever checkpointed
    return [r for r in records if r.run_id not in threads]


def _lost(record: RunRecord) -> str:
    """What a stopped run without a checkpoint is, and what goes on from there."""
    run = record.run_id
    cause = ("it stopped before its first step was saved, or the file was deleted or replaced"
             if record.status in ("running", "interrupted") else "deleted or replaced")
    return (f"run {run}: no checkpoint in {CHECKPOINTS} ({cause}): it cannot be resumed; "
            f"`reviewloop run all` abandons it and runs task {record.task_id} afresh, "
            f"`reviewloop clean {run}` forgets it")


def _move_aside(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("", *_SIDECARS):
        source = path.with_name(path.name + suffix)
        if source.exists():
            shutil.move(source, folder / source.name)
    return folder / path.name


def _salvage(source: Path, target: Path) -> int:
    """Copy every table of `source` SQLite can still list into a new `target`, row by row
    until a table's damage starts; the number of rows copied."""
    copied = 0
    try:
        reading = _read_only(source)
    except sqlite3.DatabaseError:
        return 0  # not even its header reads: LangGraph creates the tables anew
    with reading as old, closing(sqlite3.connect(target)) as new:
        try:
            tables = old.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite_%'").fetchall()
        except sqlite3.DatabaseError:
            return 0  # not even its schema reads: LangGraph creates the tables anew
        for name, sql in tables:
            new.execute(sql)
            copied += _copy_rows(old, new, name)
        new.commit()
    return copied


def _copy_rows(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> int:
    copied = 0
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        for row in old.execute(f"SELECT * FROM {quoted}"):  # noqa: S608 - a name from the schema
            new.execute(f"INSERT INTO {quoted} VALUES ({','.join('?' * len(row))})", row)  # noqa: S608
            copied += 1
    except sqlite3.DatabaseError:
        pass  # the rest of this table is past the damage: kept in the moved original only
    return copied


def _read_only(path: Path) -> closing[sqlite3.Connection]:
    """A read-only connection to an SQLite file, closed when its `with` ends; in a folder this
    user cannot write too (`wal.read_only`)."""
    return closing(wal.read_only(path))


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
