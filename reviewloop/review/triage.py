"""A review round's triage: every reviewer's outcome, and what no model judges, recorded in
the ledger — the one place a round's reports become ledger entries, with or without the
graph (`graph.nodes.triage`, `runs.offline`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewloop.checks.suppressions.config_files import lever
from reviewloop.checks.suppressions.scope import Suppressions
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.rounds import RoundInput, outcome_health, rechecked_files, record
from reviewloop.findings.schema import Finding
from reviewloop.findings.triage import apply_floor
from reviewloop.git.changes import removed_lines, written_lines
from reviewloop.git.diff import changed_lines, read_diff
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.material import load_material
from reviewloop.review.reviewer import ReviewerOutcome


@dataclass(frozen=True)
class TriageAsk:
    """The round to record: its number, diff and material, the run's baseline, the
    findings a fix addressed, and whether the run has a spec (a task run)."""

    round: int
    diff_path: str
    material_path: str
    baseline: Snapshot
    addressed: Sequence[Finding] = ()
    task_run: bool = False


def triage_round(ledger: Ledger, outcomes: Sequence[ReviewerOutcome], ask: TriageAsk, *,
                 repo: Repository, agents: Sequence[AgentDefinition],
                 found: Suppressions) -> Ledger:
    """The ledger with the round recorded: the reviewers' findings at their agents' floors,
    the material's findings no model judges (analyzer findings on unread files, hidden-file
    flags), and the suppressions the change adds."""
    floors = {a.name: a.severity_floor for a in agents if a.severity_floor}
    diff_text = read_diff(ask.diff_path)
    recorded = load_material(ask.material_path).recorded if ask.material_path else ()
    return record(ledger, RoundInput(
        round=ask.round, reported=[*(apply_floor(f, floors) for f in (
            *(f for r in outcomes for f in r.findings), *recorded)),
            # in a task run a lever file the run changed is a human's question at approval
            # (policy.levers), never the fixer's; a review has no approval, so it flags both
            *(f for f in found.added if not ask.task_run or lever(f.file) is None)],
        scope=written_lines(repo, ask.diff_path, ask.round, ask.baseline),
        removals=removed_lines(repo, ask.diff_path, ask.round, ask.baseline),
        health=outcome_health([o.model_dump(mode="json") for o in outcomes]),
        whole=ask.round == 1, addressed=[f.fingerprint for f in ask.addressed],
        fix_files=(fixed := changed_lines(diff_text).keys()),
        analyzed_files=rechecked_files(fixed, ask.addressed), suppress=found.suppress))
