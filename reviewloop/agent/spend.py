"""What a run's model use has cost, and whether that is past its budget: pure arithmetic.

A cost that cannot be estimated (a model without a price) counts as over budget, because an
unchecked budget is no budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewloop.agent.models import UsageRecord, estimate_cost

Prices = Mapping[str, Mapping[str, float]]


def run_cost(usage: Sequence[UsageRecord], prices: Prices) -> float | None:
    """Estimated USD spent by `usage`; None when a model has no known price."""
    return estimate_cost(usage, prices) if usage else 0.0


def over_budget(usage: Sequence[UsageRecord], budget: float | None,
                prices: Prices) -> str | None:
    """The escalation when `usage` has spent `budget` (None: within it, or no budget)."""
    if budget is None:
        return None
    cost = run_cost(usage, prices)
    if cost is None:
        return (f"budget_usd is {budget:.2f} but the cost is unknown (a model has no price): "
                "stopped; add the model under [prices]")
    if cost > budget:
        return f"budget exhausted: ${cost:.4f} spent of budget_usd ${budget:.2f}; stopped"
    return None
