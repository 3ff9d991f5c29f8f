"""A review round's triage: every reviewer's findings and the round's own (what no model
judges) raised to their agents' severity floors, the suppressions the change adds flagged,
and the round recorded in the ledger by `rounds.record` — the one place a round's reports
become ledger entries, for the graph's rounds and an offline review alike (`graph.steps`).

Pure: the caller reads the diff, the material and the suppressions and passes their values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from reviewloop.findings.ledger import Health, Ledger
from reviewloop.findings.rounds import RoundInput, Scope, Suppressor, never, rechecked_files, record
from reviewloop.findings.schema import Finding, Severity


@dataclass(frozen=True)
class TriageAsk:
    """One review round as triage takes it: what was reported and by whom, what the change
    wrote and removed, and what the latest fix addressed."""

    round: int
    reported: Sequence[Finding]  # every reviewer's findings and the round's recorded ones
    health: Sequence[Health]  # every reviewer and analyzer of the round
    scope: Scope  # path → lines the run wrote, in any round (`git.changes.written_lines`)
    removals: Scope = field(default_factory=dict)  # path → where it removed lines
    floors: Mapping[str, Severity] = field(default_factory=dict)  # agent → severity floor
    added: Sequence[Finding] = ()  # the suppressions the change adds: flagged as they are
    fix_files: Collection[str] = ()  # the files this round's diff changed
    addressed: Sequence[Finding] = ()  # the findings the latest fix targeted
    suppress: Suppressor = never


def triage_round(ledger: Ledger, ask: TriageAsk) -> Ledger:
    """The ledger with the round recorded: the reports at their agents' floors and the
    suppressions the change adds; a round after a fix re-checks the fix's files and those
    of the analyzer findings it targeted (`rounds.rechecked_files`)."""
    return record(ledger, RoundInput(
        round=ask.round, reported=[*(apply_floor(f, ask.floors) for f in ask.reported),
                                   *ask.added],
        scope=ask.scope, removals=ask.removals, health=ask.health, whole=ask.round == 1,
        addressed=[f.fingerprint for f in ask.addressed], fix_files=ask.fix_files,
        analyzed_files=rechecked_files(ask.fix_files, ask.addressed), suppress=ask.suppress))


def apply_floor(finding: Finding, floors: Mapping[str, Severity]) -> Finding:
    """Raise the finding to its agent's floor when it is below it."""
    floor = floors.get(finding.agent)
    if floor is None or finding.severity.at_least(floor):
        return finding
    return finding.model_copy(update={"severity": floor})
