"""The bench's figures from the stored results: pure arithmetic, recomputed at every report
(so `--near` can change without reviewing anything again)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewloop.bench.cases import Case
from reviewloop.bench.report import (
    BenchReport,
    CaseOutcome,
    CaseReport,
    FindingOutcome,
    ModelTally,
    ReviewerTally,
    Tally,
)
from reviewloop.bench.store import CaseResult, Found

NEAR = 3  # lines either side of a labelled line that still count as on it
MUST_FIX = "must_fix"


def on_label(found: Found, labels: Mapping[str, set[int]], near: int) -> bool:
    """Whether the finding's lines, widened by `near`, hold a labelled line of its file. A
    finding about a whole file or symbol points at no line: it never lands on one."""
    if found.level != "line":
        return False
    lines = labels.get(found.path, ())
    return any(found.start_line - near <= line <= found.end_line + near for line in lines)


@dataclass
class _Sum:
    """Running totals behind one `Tally`."""

    cases: int = 0
    hits: int = 0
    findings: int = 0
    labelled: int = 0
    must_fix: int = 0
    must_fix_on: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    failed: int = 0
    cost: float | None = 0.0
    by_reviewer: dict[str, _Sum] = field(default_factory=dict)

    def add_findings(self, outcomes: Sequence[FindingOutcome]) -> None:
        self.findings += len(outcomes)
        self.labelled += sum(o.on_label for o in outcomes)
        self.must_fix += sum(o.severity == MUST_FIX for o in outcomes)
        self.must_fix_on += sum(o.severity == MUST_FIX and o.on_label for o in outcomes)
        self.hits += any(o.on_label for o in outcomes)

    def figures(self) -> dict[str, Any]:
        n = self.cases
        return Tally(cases=n, hits=self.hits, hit_rate=_ratio(self.hits, n),
                     findings=self.findings, findings_per_case=_ratio(self.findings, n),
                     labelled_findings=self.labelled, must_fix=self.must_fix,
                     must_fix_on_labels=self.must_fix_on,
                     must_fix_share=_ratio(self.must_fix_on, self.must_fix),
                     input_tokens=self.input_tokens, output_tokens=self.output_tokens,
                     tokens_per_case=_ratio(self.input_tokens + self.output_tokens, n),
                     seconds=round(self.seconds, 3), seconds_per_case=_ratio(self.seconds, n),
                     failed=self.failed).model_dump()


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def outcome(case: Case, model: str, result: CaseResult | None, near: int) -> CaseOutcome:
    """One model's review of `case` scored against its labels (`pending`: not reviewed)."""
    if result is None:
        return CaseOutcome(model=model, status="pending", hit=False, hit_by=[], findings=[],
                           input_tokens=0, output_tokens=0, cost_usd=None, wall_s=0.0)
    labels = case.labelled()
    findings = [FindingOutcome(**f.model_dump(exclude={"status"}),
                               on_label=on_label(f, labels, near)) for f in result.findings]
    hit_by = sorted({f.agent for f in findings if f.on_label})
    return CaseOutcome(model=model, status=result.status, hit=bool(hit_by), hit_by=hit_by,
                       findings=findings, input_tokens=result.input_tokens,
                       output_tokens=result.output_tokens, cost_usd=result.cost_usd,
                       wall_s=result.wall_s, error=result.error)


def _count(total: _Sum, result: CaseResult, scored: CaseOutcome) -> None:
    for failed in result.reviewers:  # a reviewer's failed call: counted, never as a case
        if failed.status == "failed":
            total.by_reviewer.setdefault(failed.agent, _Sum()).failed += 1
    if result.status == "failed":  # not measured (`review.not_measured`)
        total.failed += 1
        return
    total.cases += 1
    total.add_findings(scored.findings)
    total.input_tokens += result.input_tokens
    total.output_tokens += result.output_tokens
    total.seconds += result.wall_s
    total.cost = None if total.cost is None or result.cost_usd is None \
        else total.cost + result.cost_usd
    called = {u.agent: u for u in result.reviewers if u.status == "ok"}
    for agent in sorted({*called, *(f.agent for f in scored.findings)}):
        mine = total.by_reviewer.setdefault(agent, _Sum())
        mine.cases += 1
        mine.add_findings([f for f in scored.findings if f.agent == agent])
        if (use := called.get(agent)) is not None:
            mine.input_tokens += use.input_tokens
            mine.output_tokens += use.output_tokens
            mine.seconds += use.duration_s


def build(*, name: str, cases: Sequence[Case], models: Sequence[str],
          results: Mapping[tuple[str, str], CaseResult], near: int = NEAR,
          stopped: str | None = None, fixes: int = 0,
          skipped: Sequence[str] = ()) -> BenchReport:
    """The report over `cases` × `models` from the stored `results`."""
    totals = {model: _Sum() for model in models}
    reports = []
    for case in cases:
        outcomes = []
        for model in models:
            result = results.get((case.id, model))
            scored = outcome(case, model, result, near)
            outcomes.append(scored)
            if result is not None:
                _count(totals[model], result, scored)
        reports.append(CaseReport(id=case.id, source=case.source, base=case.base,
                                  head=case.head, fixes=case.fixes,
                                  description=case.description, labels=case.labels,
                                  results=outcomes))
    tallies = [ModelTally(model=model, **total.figures(), cost_usd=_money(total.cost),
                          cost_per_case=_ratio(total.cost, total.cases)
                          if total.cost is not None else None,
                          reviewers=[ReviewerTally(reviewer=agent, **mine.figures())
                                     for agent, mine in sorted(total.by_reviewer.items())])
               for model, total in totals.items()]
    pending = sum(o.status == "pending" for r in reports for o in r.results)
    return BenchReport(name=name, near=near, cases=len(cases), pending=pending,
                       stopped=stopped, fixes=fixes, skipped=list(skipped), models=tallies,
                       case_results=reports)


def _money(amount: float | None) -> float | None:
    return round(amount, 6) if amount is not None else None
