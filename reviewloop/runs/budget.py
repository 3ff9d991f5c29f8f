"""Budgets: what a run has spent, when it must stop, and what a spec's batch has spent.

A run's spend is the estimated cost of the usage its nodes recorded in state
(`agent.spend`). With `budget_usd` set, the nodes after which the loop decides what comes
next (the gates, triage and a fix) record whether the run is past it, and the routers send
such a run to `escalate` and `present`, so nothing lands without a human (with
`land = "pr"`: a draft pull request, labelled, that a human merges or not).

Finished runs record their spend per spec in the run state's store (SQLite beside the
registry, or the shared Postgres), so `plan` can refuse to start tasks once
`batch_budget_usd` is spent across every runner of the batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewloop.config import Settings
from reviewloop.runs.pg_tables import create_once
from reviewloop.runs.registry import state_dir
from reviewloop.runs.store import connect, postgres_url

_TABLE = """
CREATE TABLE IF NOT EXISTS reviewloop_spend (
    run_id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    cost_usd DOUBLE PRECISION NOT NULL
)"""


class SpendLog:
    """Spend per finished run, keyed by spec (repository-relative), where run state lives."""

    def __init__(self, settings: Settings, root: Path):
        self.url = postgres_url(settings)
        self.root = root

    def record(self, run_id: str, spec: str, cost: float) -> None:
        with self._db() as (db, mark):
            db.execute(f"INSERT INTO reviewloop_spend (run_id, spec, cost_usd) VALUES "
                       f"({mark}, {mark}, {mark}) ON CONFLICT (run_id) DO UPDATE SET "
                       "cost_usd = EXCLUDED.cost_usd", (run_id, spec, cost))

    def total(self, spec: str) -> float:
        with self._db() as (db, mark):
            row = db.execute(f"SELECT COALESCE(SUM(cost_usd), 0) AS spent FROM "
                             f"reviewloop_spend WHERE spec = {mark}", (spec,)).fetchone()
        return float(row["spent"] if isinstance(row, Mapping) else row[0])

    @contextmanager
    def _db(self) -> Iterator[tuple[Any, str]]:
        """(connection, parameter marker) for the configured store."""
        if self.url:
            with connect(self.url) as conn:
                create_once(self.url, conn, (_TABLE,))
                yield conn, "%s"
            return
        lite = sqlite3.connect(state_dir(self.root) / "runs.sqlite", timeout=30)
        try:
            lite.execute(_TABLE)
            yield lite, "?"
            lite.commit()
        finally:
            lite.close()


def spec_key(spec_file: Path, root: Path) -> str:
    """The spec as every clone names it: its path inside the repository."""
    try:
        return spec_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(spec_file)
