"""The bench's arithmetic: what lands on a label, and the figures built from stored results.
Where the space is open (lines, ranges, distances) a property says what must hold."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.score import build, on_label
from reviewloop.bench.store import CaseResult, Found, ReviewerUse


def found(line: int, end: int | None = None, *, agent: str = "review-security",
          severity: str = "should_fix", level: str = "line", path: str = "a.py") -> Found:
    return Found(agent=agent, source="llm", severity=severity, path=path, start_line=line,
                 end_line=end or line, title="t", status="open", level=level)  # type: ignore[arg-type]


lines = st.integers(min_value=1, max_value=10_000)


@given(start=lines, length=st.integers(0, 50), label=lines, near=st.integers(0, 20))
def test_a_finding_lands_on_a_label_exactly_when_the_widened_range_holds_it(start, length,
                                                                           label, near):
    hit = on_label(found(start, start + length), {"a.py": {label}}, near)
    assert hit == (start - near <= label <= start + length + near)
    assert not on_label(found(start, start + length, path="b.py"), {"a.py": {label}}, near)
    # widening never loses a hit
    assert not hit or on_label(found(start, start + length), {"a.py": {label}}, near + 1)


@given(line=lines, near=st.integers(0, 20))
def test_a_file_or_symbol_finding_never_lands_on_a_line(line, near):
    for level in ("file", "symbol"):
        assert not on_label(found(line, level=level), {"a.py": {line}}, near)


def case(n: int) -> Case:
    return Case(id=f"c{n}", source="history", base="b", head="h",
                labels=[Label(path="a.py", line=10)])


def reviewed(n: int, *findings: Found, cost: float | None = 0.5) -> CaseResult:
    return CaseResult(case_id=f"c{n}", model="m", status="reviewed", findings=list(findings),
                      reviewers=[ReviewerUse(agent="review-security", status="ok",
                                             input_tokens=100, output_tokens=10,
                                             duration_s=2.0),
                                 ReviewerUse(agent="review-infrastructure",
                                             status="skipped")],
                      input_tokens=100, output_tokens=10, cost_usd=cost, wall_s=4.0)


def test_the_figures_of_a_small_bench():
    results = {
        ("c1", "m"): reviewed(1, found(10, severity="must_fix"), found(40, severity="must_fix")),
        ("c2", "m"): reviewed(2, found(12)),
        ("c3", "m"): CaseResult(case_id="c3", model="m", status="failed", error="throttled"),
    }
    report = build(name="n", cases=[case(1), case(2), case(3), case(4)], models=["m"],
                   results=results, near=3)
    [model] = report.models
    assert (model.cases, model.hits, model.failed, report.pending) == (2, 2, 1, 1)
    assert (model.must_fix, model.must_fix_on_labels, model.must_fix_share) == (2, 1, 0.5)
    assert (model.findings, model.findings_per_case, model.labelled_findings) == (3, 1.5, 2)
    assert (model.cost_usd, model.cost_per_case, model.tokens_per_case) == (1.0, 0.5, 110)
    assert model.seconds_per_case == 4.0
    [security] = model.reviewers  # a skipped reviewer was not called: no row
    assert (security.reviewer, security.cases, security.hits, security.seconds) == (
        "review-security", 2, 2, 4.0)
    assert report.case_results[3].results[0].status == "pending"
    assert [o.on_label for o in report.case_results[0].results[0].findings] == [True, False]


def test_an_unknown_price_is_an_unknown_cost_not_zero():
    report = build(name="n", cases=[case(1), case(2)], models=["m"],
                   results={("c1", "m"): reviewed(1), ("c2", "m"): reviewed(2, cost=None)})
    assert report.models[0].cost_usd is None and report.models[0].cost_per_case is None


def test_no_case_reviewed_gives_no_rates():
    report = build(name="n", cases=[case(1)], models=["m"], results={})
    model = report.models[0]
    assert (model.cases, model.hit_rate, model.findings_per_case, model.must_fix_share) == (
        0, None, None, None)
