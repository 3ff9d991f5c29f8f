"""Budgets: what a run has spent, when it must stop, and what a spec's batch has spent.

A run's spend is the estimated cost of the usage its nodes recorded in state
(`agent.models.estimate_cost`). With `budget_usd` set, the loop's routers check it at every
node boundary where the loop decides what comes next (after the gates, triage and a fix):
past the budget the run goes straight to `present` with an escalation, so nothing is
committed without a human. A cost that cannot be estimated (a model without a price) is
treated as over budget, because an unchecked budget is no budget.

Finished runs record their spend per spec in the run state's store (SQLite beside the
registry, or the shared Postgres), so `plan` can refuse to start tasks once
`batch_budget_usd` is spent across every runner of the batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewloop.agent.models import UsageRecord, estimate_cost
from reviewloop.config import Settings
from reviewloop.runs.registry import state_dir
from reviewloop.runs.store import connect, postgres_url

_TABLE = """
CREATE TABLE IF NOT EXISTS reviewloop_spend (
    run_id TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    cost_usd DOUBLE PRECISION NOT NULL
)"""


def run_cost(state: Mapping[str, Any], prices: Mapping[str, Mapping[str, float]]
             ) -> float | None:
    """Estimated USD the run has spent so far; None when a model has no known price."""
    usage = [UsageRecord(**u) for u in state.get("usage", [])]
    return estimate_cost(usage, prices) if usage else 0.0


def over_budget(state: Mapping[str, Any], budget: float | None,
                prices: Mapping[str, Mapping[str, float]]) -> str | None:
    """The escalation when the run has spent its budget (None: within it, or no budget)."""
    if budget is None:
        return None
    cost = run_cost(state, prices)
    if cost is None:
        return (f"budget_usd is {budget:.2f} but the cost is unknown (a model has no price): "
                "stopped; add the model under [prices]")
    if cost > budget:
        return f"budget exhausted: ${cost:.4f} spent of budget_usd ${budget:.2f}; stopped"
    return None


def budgeted(route: Callable[..., str], budget: float | None,
             prices: Mapping[str, Mapping[str, float]]) -> Callable[..., str]:
    """`route`, except that a run over its budget goes to `present`."""
    def wrapped(state: Mapping[str, Any], **kw: Any) -> str:
        if over_budget(state, budget, prices):
            return "present"
        return route(state, **kw)
    wrapped.__name__ = getattr(route, "__name__", "route")
    return wrapped


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
                conn.execute(_TABLE)
                yield conn, "%s"
            return
        conn = sqlite3.connect(state_dir(self.root) / "runs.sqlite", timeout=30)
        try:
            conn.execute(_TABLE)
            yield conn, "?"
            conn.commit()
        finally:
            conn.close()


def spec_key(spec_file: Path, root: Path) -> str:
    """The spec as every clone names it: its path inside the repository."""
    try:
        return spec_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(spec_file)
