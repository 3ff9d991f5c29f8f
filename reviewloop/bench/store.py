"""A bench's durable store: SQLite in its folder (`.reviewloop/bench/<name>/bench.sqlite`).

One row per case and model, written in one transaction when the case's review ends: a bench
killed at any point restarts with every finished case kept and reviews only the others. A
case started and never finished has no row and is reviewed again; `reviews` counts the
finished reviews of a case (a finished case is never reviewed twice, so it stays 1).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from reviewloop.bench.cases import Case
from reviewloop.bench.report import BenchFinding
from reviewloop.errors import StoreDamaged, UserInputError
from reviewloop.runs.registry import state_dir, store_damaged

STORE = "bench.sqlite"
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS results (
        case_id TEXT NOT NULL,
        model TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        reviews INTEGER NOT NULL,
        finished TEXT NOT NULL,
        PRIMARY KEY (case_id, model)
    )""",
    # results a later one replaced (a failed review retried, a case whose change was
    # edited): what they cost still counts against the budget
    """CREATE TABLE IF NOT EXISTS replaced (
        case_id TEXT NOT NULL,
        model TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _change(data: str) -> tuple[str, str] | None:
    """The (base, head) a stored case names; None when its record cannot be read."""
    try:
        case = json.loads(data)
        return str(case["base"]), str(case["head"])
    except (ValueError, KeyError, TypeError):
        return None


class Found(BenchFinding):
    """One finding of a case's review, as the bench stores it."""

    status: str  # the ledger's status: open, out_of_scope, …


class ReviewerUse(BaseModel):
    """One reviewer's part of a case's review."""

    agent: str
    status: Literal["ok", "failed", "skipped"]
    findings: int = 0
    duration_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0


class CaseResult(BaseModel):
    """A case's review by one model: what was found and what it cost."""

    case_id: str
    model: str
    status: Literal["reviewed", "empty", "failed"]
    findings: list[Found] = Field(default_factory=list[Found])
    reviewers: list[ReviewerUse] = Field(default_factory=list[ReviewerUse])
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0  # None: the model has no known price
    wall_s: float = 0.0
    error: str | None = None  # a failed review's reason (retried by the next run)


class BenchStore:
    """The cases and per-case results of one named bench."""

    def __init__(self, root: Path, name: str):
        if not _NAME.match(name):
            raise UserInputError(f"bench name {name!r} is not a plain name", where="--name",
                                 fix="use letters, digits, '.', '_' or '-' (at most 64)")
        self.folder = state_dir(root) / "bench" / name
        self.path = self.folder / STORE

    def remember(self, cases: list[Case]) -> None:
        """Keep the cases (their labels travel with the results). A result is of one change:
        a case whose base or head is not the one stored under its id (an edited cases file
        that kept its ids) loses its results, and is reviewed again rather than scored on
        another change's findings. Labels are not part of it: every report scores the
        findings against the labels given now, as it does with `--near`."""
        with self._db() as db:
            before = dict(db.execute("SELECT case_id, data FROM cases").fetchall())
            stale = [(c.id,) for c in cases
                     if c.id in before and _change(before[c.id]) != (c.base, c.head)]
            db.executemany("INSERT INTO replaced SELECT case_id, model, data FROM results "
                           "WHERE case_id = ?", stale)
            db.executemany("DELETE FROM results WHERE case_id = ?", stale)
            db.executemany("INSERT INTO cases (case_id, data) VALUES (?, ?) ON CONFLICT "
                           "(case_id) DO UPDATE SET data = excluded.data",
                           [(c.id, c.model_dump_json()) for c in cases])

    def record(self, result: CaseResult) -> None:
        """Write one case's result atomically; a finished review adds one to `reviews`."""
        done = int(result.status != "failed")
        with self._db() as db:
            db.execute("INSERT INTO replaced SELECT case_id, model, data FROM results "
                       "WHERE case_id = ? AND model = ?", (result.case_id, result.model))
            db.execute(
                "INSERT INTO results (case_id, model, status, data, reviews, finished) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, model) DO UPDATE SET "
                "status = excluded.status, data = excluded.data, "
                "reviews = results.reviews + excluded.reviews, finished = excluded.finished",
                (result.case_id, result.model, result.status, result.model_dump_json(), done,
                 datetime.now(UTC).isoformat(timespec="seconds")))

    def results(self) -> dict[tuple[str, str], CaseResult]:
        """Every stored result by (case id, model)."""
        with self._db() as db:
            rows = db.execute("SELECT data FROM results").fetchall()
        found = (CaseResult.model_validate_json(row[0]) for row in rows)
        return {(r.case_id, r.model): r for r in found}

    def reviews(self) -> dict[tuple[str, str], int]:
        """How many finished reviews each (case id, model) has had."""
        with self._db() as db:
            rows = db.execute("SELECT case_id, model, reviews FROM results").fetchall()
        return {(case, model): n for case, model, n in rows}

    def spent(self) -> float | None:
        """Dollars the bench's reviews cost so far, those of replaced results included (a
        failed review, then its retry: both were paid); None when one had no known price."""
        with self._db() as db:
            rows = db.execute("SELECT data FROM results UNION ALL "
                              "SELECT data FROM replaced").fetchall()
        total = 0.0
        for row in rows:
            cost = CaseResult.model_validate_json(row[0]).cost_usd
            if cost is None:
                return None
            total += cost
        return total

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection per operation, committed at its end: a kill between two leaves
        every finished write in place and none half-written."""
        db = self._open()
        try:
            with db:
                for statement in _SCHEMA:
                    db.execute(statement)
                yield db
        except sqlite3.DatabaseError as exc:
            damaged = store_damaged(self.path, exc)
            if isinstance(damaged, StoreDamaged):  # not the run registry's: its own fix
                damaged = StoreDamaged(f"{STORE} is damaged: {exc}", where=str(self.path),
                                       fix=f"move {self.folder} aside to start this bench "
                                           "over (or give another --name)")
            if damaged is None:
                raise
            raise damaged from exc
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        """A connection to the store; a store path that is no file (a folder) or cannot be
        opened (a folder that is a file, no permission) named with the fix, never a crash."""
        aside = f"move {self.folder} aside to start this bench over (or give another --name)"
        if self.path.exists() and not self.path.is_file():  # SQLite opens no folder
            raise StoreDamaged(f"{STORE} is not a file", where=str(self.path), fix=aside)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.OperationalError) as exc:
            raise UserInputError(f"cannot open the bench's store: {exc}", where=str(self.path),
                                 fix=f"make {self.folder} a writable folder, or {aside}"
                                 ) from None
