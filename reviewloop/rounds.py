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
from reviewloop.triage import TriageResult, merge_duplicates, same_problem


class RoundOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    actionable: list[Finding]  # still open after this round, for the next fix or the human
    fixed: list[Finding]  # previous findings this round's fix resolved
    nits: list[Finding]


def first_round(result: TriageResult) -> RoundOutcome:
    return RoundOutcome(actionable=result.actionable, fixed=[], nits=result.nits)


def next_round(addressed: Sequence[Finding], result: TriageResult,
               fix_files: Iterable[str]) -> RoundOutcome:
    """Combine the findings a fix targeted with the re-review of that fix."""
    touched = set(fix_files)
    reported = [*result.actionable, *result.nits]
    fixed, still = [], []
    for finding in addressed:
        if _re_reported(finding, reported):
            continue  # its current copy, with current line numbers, is in `result`
        (fixed if finding.file in touched else still).append(finding)
    open_now = merge_duplicates([*still, *result.actionable])
    return RoundOutcome(actionable=sorted(open_now, key=Finding.sort_key),
                        fixed=fixed, nits=result.nits)


def _re_reported(finding: Finding, reported: Sequence[Finding]) -> bool:
    return any(finding.fingerprints & r.fingerprints or same_problem(finding, r)
               for r in reported)
