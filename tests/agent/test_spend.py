"""One way to print dollars (agent/spend.usd): a budget, a spend or an estimate that is not
zero is never printed as "$0.00", and every output uses the same formatter."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.agent.models import UsageRecord
from reviewloop.agent.spend import over_budget, usd
from reviewloop.github.run_pr import spend_text
from reviewloop.reports.report import RunSummary, cost_text

PRICES = {"scripted": {"input": 3.0, "output": 15.0}}


def test_examples() -> None:
    assert [usd(0), usd(0.001), usd(0.004), usd(0.01), usd(0.0472), usd(0.36), usd(1.6),
            usd(0.00001)] == ["$0.00", "$0.0010", "$0.0040", "$0.01", "$0.0472", "$0.36",
                              "$1.60", "<$0.0001"]


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_a_nonzero_amount_is_never_zero_and_reads_back_within_half_a_hundredth_cent(
        amount: float) -> None:
    text = usd(amount)
    assert (text == "$0.00") == (amount == 0)
    shown = re.fullmatch(r"\$(\d+\.\d{2}(?:\d{2})?)", text)
    if shown:
        assert abs(float(shown[1]) - amount) <= 0.00005 + 1e-9
    else:
        assert text == "<$0.0001" and 0 < amount < 0.00005


def test_a_budget_below_a_cent_is_printed_as_itself_everywhere() -> None:
    usage = [UsageRecord(role="review", agent="a", model="scripted", input_tokens=1000,
                         output_tokens=100)]
    assert over_budget(usage, 0.001, PRICES) == (
        "budget exhausted: $0.0045 spent of budget_usd $0.0010; stopped")
    assert "budget_usd is $0.0010 but" in (over_budget(usage, 0.001, {}) or "")
    summary = RunSummary(task_id="1", cost_usd=0.0045, input_tokens=1000,
                         output_tokens=100)
    assert spend_text(summary, 0.001) == (
        "$0.0045 (1,000 tokens in / 100 out) of budget_usd $0.0010")
    assert cost_text(None) == "unknown" and cost_text(0.36) == "$0.36"
