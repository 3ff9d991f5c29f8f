"""Carrying findings from one review round to the next (pure).

Round 1 reviews the whole change. A fix round addresses the actionable findings; the
re-review then sees only the fix's diff. A previous finding counts as fixed when the fix
changed its file and no reviewer re-reported it; otherwise it stays open, so nothing the
fixer skipped is silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from reviewloop.findings import Finding
from reviewloop.review.triage import TriageResult, merge_duplicates, same_problem


class RoundOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    actionable: list[Finding]  # still open after this round, for the next fix or the human
    fixed: list[Finding]  # previous findings this round's fix resolved
    nits: list[Finding]


def first_round(result: TriageResult) -> RoundOutcome:
    return RoundOutcome(actionable=result.actionable, fixed=[], nits=result.nits)


def next_round(addressed: Sequence[Finding], result: TriageResult, fix_files: Iterable[str],
               left_open: Sequence[Finding] = ()) -> RoundOutcome:
    """Combine the findings a fix targeted with the re-review of that fix.

    An addressed finding is fixed only when the fix changed its file and nothing reports it
    again — neither on the fix's lines nor elsewhere in the change (`result.outside`: the
    analyzers re-run on the whole change each round). `left_open` are findings the fixer
    did not work on (no safe automatic fix); they stay open as they are.
    """
    touched = set(fix_files)
    on_fix_lines = [*result.actionable, *result.nits]
    fixed, still = [], list(left_open)
    for finding in addressed:
        if _re_reported(finding, on_fix_lines):
            continue  # its current copy, with current line numbers, is in `result`
        elsewhere = next((r for r in result.outside if _same(finding, r)), None)
        if elsewhere is not None:
            still.append(elsewhere.model_copy(update={"severity": finding.severity}))
        elif finding.file in touched:
            fixed.append(finding)
        else:
            still.append(finding)
    open_now = merge_duplicates([*still, *result.actionable])
    return RoundOutcome(actionable=sorted(open_now, key=Finding.sort_key),
                        fixed=fixed, nits=result.nits)


def _re_reported(finding: Finding, reported: Sequence[Finding]) -> bool:
    return any(_same(finding, r) for r in reported)


def _same(a: Finding, b: Finding) -> bool:
    return bool(a.fingerprints & b.fingerprints) or same_problem(a, b)
