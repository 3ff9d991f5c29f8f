"""What a run's model use has cost, and whether that is past its budget: pure arithmetic.

A cost that cannot be estimated (a model without a price) counts as over budget, because an
unchecked budget is no budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewloop.agent.models import UsageRecord, estimate_cost

Prices = Mapping[str, Mapping[str, float]]


def usd(amount: float) -> str:
    """Dollars as every output prints them: to the cent when that is exact ("$1.60",
    "$0.50"), else to a hundredth of a cent ("$0.0472", "$0.0010"), and "<$0.0001" below
    that; never "$0.00" for an amount that is not zero."""
    if amount == 0:
        return "$0.00"
    if abs(amount) < 0.00005:
        return "<$0.0001" if amount > 0 else "-<$0.0001"
    cents, fine = f"{amount:.2f}", f"{amount:.4f}"
    return f"${cents}" if float(cents) == float(fine) else f"${fine}"


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
        return (f"budget_usd is {usd(budget)} but the cost is unknown (a model has no price): "
                "stopped; add the model under [prices]")
    if cost > budget:
        return f"budget exhausted: {usd(cost)} spent of budget_usd {usd(budget)}; stopped"
    return None
