"""Per reviewer, rule and analyzer: what became of the findings, noisiest first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Ledger, Status, Suppression
from reviewloop.findings.schema import Finding
from reviewloop.reports.stats import OUTCOMES, outcome, tally


def finding(*, agent: str = "review-security", source: str = "bandit", rule: str | None = "B602",
            line: int = 3, title: str = "shell call", also: tuple[str, ...] = ()) -> Finding:
    return Finding(severity="must_fix", file="app.py", start_line=line, end_line=line,
                   title=title, rationale="r", confidence=0.9, agent=agent, source=source,
                   rule=rule, also_reported_by=list(also))


def entry(found: Finding, status: Status, kind: str | None = None) -> Entry:
    suppression = Suppression(kind=kind, where="x") if kind else None  # type: ignore[arg-type]
    return Entry.single(found, status, "test", suppression=suppression)


def test_each_status_is_one_outcome_and_a_writers_ignore_is_not_a_trusted_suppression():
    found = finding()
    assert outcome(entry(found, Status.SUPPRESSED, "command")) == "ignored"
    assert outcome(entry(found, Status.SUPPRESSED, "inline")) == "suppressed"
    assert outcome(entry(found, Status.SUPPRESSED, "baseline")) == "suppressed"
    assert [outcome(entry(found, s)) for s in (Status.FIXED, Status.ESCALATED, Status.OPEN,
                                                Status.OUT_OF_SCOPE)] == [
        "fixed", "escalated", "open", "out_of_scope"]


def test_rows_per_reviewer_rule_and_analyzer_over_every_ledger_noisiest_first():
    first = Ledger(entries=[
        entry(finding(line=3), Status.SUPPRESSED, "command"),
        entry(finding(line=9), Status.FIXED),
        entry(finding(source="ruff", rule="S608", agent="review-maintainability", line=4,
                      also=("review-security",)), Status.OPEN)])
    second = Ledger(entries=[
        entry(finding(line=5), Status.SUPPRESSED, "inline"),
        entry(finding(source="llm", rule=None, agent="review-performance", line=7,
                      title="N+1 query in loop"), Status.ESCALATED)])
    stats = tally([first, second])
    rules = {r.name: r for r in stats.rules}
    b602 = rules["bandit:B602"]
    assert (b602.findings, b602.fixed, b602.ignored, b602.suppressed, b602.noise) == (3, 1, 1, 1, 2)
    assert b602.reviewers == ["review-security"]
    assert rules["ruff:S608"].reviewers == ["review-maintainability", "review-security"]
    assert rules["review-performance:llm:n # query in loop"].escalated == 1
    assert stats.rules[0].name == "bandit:B602"  # the noisiest first
    reviewers = {r.name: r for r in stats.reviewers}
    assert (reviewers["review-security"].findings, reviewers["review-security"].open) == (4, 1)
    assert reviewers["review-maintainability"].open == 1
    analyzers = {r.name: r for r in stats.analyzers}
    assert set(analyzers) == {"bandit", "ruff"} and analyzers["bandit"].noise == 2


outcomes = st.sampled_from([(Status.FIXED, None), (Status.OPEN, None), (Status.ESCALATED, None),
                            (Status.OUT_OF_SCOPE, None), (Status.SUPPRESSED, "command"),
                            (Status.SUPPRESSED, "inline")])
entries = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["B1", "B2", None]),
                             st.integers(1, 50), outcomes), max_size=40)


@given(st.lists(entries, max_size=4))
def test_every_row_adds_up_and_rows_are_sorted_by_noise(ledgers):
    built = [Ledger(entries=[entry(finding(agent=agent, rule=rule, line=line,
                                           source="bandit" if rule else "llm"), status, kind)
                             for agent, rule, line, (status, kind) in one]) for one in ledgers]
    stats = tally(built)
    total = sum(len(ledger.entries) for ledger in built)
    assert sum(r.findings for r in stats.rules) == total
    for rows in (stats.rules, stats.reviewers, stats.analyzers):
        for row in rows:
            assert row.findings == sum(getattr(row, o) for o in OUTCOMES)
            assert row.noise == row.ignored + row.suppressed
        keys = [(-r.noise, -r.findings, r.name) for r in rows]
        assert keys == sorted(keys)
