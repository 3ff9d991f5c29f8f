"""`reviewloop bench`'s table: a reviewer's row leaves dollars blank, the model's row has
them; `-` means a price that is not known (it read as such on every reviewer row)."""

from __future__ import annotations

import pytest
from rich.console import Console

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.score import build
from reviewloop.bench.store import CaseResult, ReviewerUse
from reviewloop.cli.bench_output import model_table


def _table(cost: float | None) -> list[str]:
    result = CaseResult(case_id="c1", model="m", status="reviewed", findings=[],
                        reviewers=[ReviewerUse(agent="review-security", status="ok",
                                               input_tokens=100, output_tokens=10)],
                        input_tokens=100, output_tokens=10, cost_usd=cost, wall_s=1.0)
    report = build(name="n", cases=[Case(id="c1", source="jsonl", base="b", head="h",
                                         labels=[Label(path="a.py", line=1)])],
                   models=["m"], results={("c1", "m"): result})
    console = Console(width=200, record=True, color_system=None)
    console.print(model_table(report.models[0], report.near))
    return [" ".join(line.replace("│", " ").split()) for line in
            console.export_text().splitlines()]


@pytest.mark.parametrize(("cost", "shown"), [(0.25, "$0.25"), (None, "unknown")])
def test_dollars_are_the_model_s_and_a_reviewer_row_leaves_them_blank(cost, shown):
    rows = _table(cost)
    # reviewer, cases, hits, hit rate, findings/case, must_fix on labels, tokens/case,
    # $/case (blank), s/case, failed
    assert "review-security 1 0 0% 0.0 0/0 110 0.0 0" in rows
    assert f"all reviewers 1 0 0% 0.0 0/0 110 {shown} 1.0 0" in rows
