"""What a fix pass produced: each group's result, what the fix addressed, and what it tells
the ledger and the human (a group whose budget ran out is escalated with its reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from reviewloop.agent.models import UsageRecord
from reviewloop.checks.gates.base import GateReport
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.schema import Finding
from reviewloop.fixes.groups import FixGroup

GroupStatus = Literal["fixed", "unchanged", "escalated", "not_started"]


@dataclass(frozen=True)
class GroupResult:
    """One group's fix: `fixed` (its tests pass), `unchanged` (the fixer left it alone),
    `escalated` (its budget ran out; `reason` says why, `output` is the failing output), or
    `not_started` (an earlier failure in your checkout stopped the pass)."""

    group: FixGroup
    status: GroupStatus
    attempts: int
    reason: str
    output: str = ""
    duration_s: float = 0.0  # its fixer conversations and re-tests, for the run's timeline
    usage: tuple[UsageRecord, ...] = ()  # what its fixer conversations used

    def escalation(self) -> str:
        """The line the summary shows for an escalated group."""
        text = f"fix escalated for {self.group.label}: {self.reason}"
        return f"{text}. Failing output:\n{self.output}" if self.output else text


@dataclass
class FixOutcome:
    ok: bool
    summary: str
    passed_tests: int | None = None
    usage: list[UsageRecord] = field(default_factory=list)
    report: GateReport | None = None  # the gate report after a passing re-test
    left_open: list[Finding] = field(default_factory=list)  # not worked on by the fixer
    addressed: list[Finding] = field(default_factory=list)  # fixed, for the re-review
    groups: list[GroupResult] = field(default_factory=list)

    @property
    def escalated(self) -> list[GroupResult]:
        return [g for g in self.groups if g.status == "escalated"]

    def escalations(self) -> list[str]:
        return [g.escalation() for g in self.escalated]

    def stopped(self, changed: bool) -> str | None:
        """Why no re-review follows, or None when one does."""
        if not self.ok:
            return self.summary
        if changed:
            return None
        if self.escalated and len(self.escalated) == len(self.groups):
            return (f"no fix passed its tests: {len(self.escalated)} group(s) of findings "
                    "escalated")
        return f"the fixer changed nothing, the findings remain open: {self.summary}"


def escalated_in(ledger: Ledger, outcome: FixOutcome, round_no: int) -> Ledger:
    """The ledger with each escalated group's findings escalated, with the group's reason;
    the other groups' findings stay as they are."""
    for result in outcome.escalated:
        prints = {p for f in result.group.findings for p in f.fingerprints}
        ledger = ledger.escalate(f"fix budget spent: {result.reason}", round_no=round_no,
                                 only=prints)
    return ledger


def summary_of(results: Sequence[GroupResult]) -> str:
    """One line per group: what happened to it and after how many attempts."""
    return "\n".join(f"- {r.group.label}: {r.status} after {r.attempts} attempt(s)"
                     f"{'' if r.status == 'escalated' else ': ' + r.reason}"
                     for r in results)
