"""The loop's checkpointed state: plain, serialisable values only.

Large blobs stay out: diffs are written under `.reviewloop/runs/<run>/` and referenced by
path; file contents are never copied in.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from reviewloop.findings.ledger import Ledger


class LoopState(TypedDict, total=False):
    run_id: str
    task_id: str
    implementer: str  # "llm" | "manual" | "cmd:<command line>"
    agents: list[str]  # reviewer names, fixed when the run starts
    context_path: str  # the rendered task context, written once
    baseline: dict[str, Any]  # git snapshot the change is measured from
    attempts: int  # implement attempts so far
    gate_report: dict[str, Any] | None
    gates_passed: bool
    round: int  # review round, 1-based
    diff_path: str  # the diff the current round reviews
    fix_baseline: dict[str, Any] | None  # snapshot before the latest fix
    addressed: list[dict[str, Any]]  # findings the latest fix targeted
    artifacts: list[str]  # paths the gates' builds and test runs made: never the change
    material_path: str  # the round's prepared chunks and evidence (`RoundMaterial`)
    not_reviewed: list[str]  # "path: reason" for changed files no reviewer saw, all rounds
    review_agent: str  # set only in a reviewer's Send payload
    review_chunk: int  # which chunk of the round that reviewer reads
    # Every reviewer outcome of every round; parallel branches append, triage filters by round.
    reviews: Annotated[list[dict[str, Any]], operator.add]
    usage: Annotated[list[dict[str, Any]], operator.add]
    # The findings ledger (`reviewloop.findings.ledger.Ledger` as JSON): every finding of the run, its
    # lifecycle, and reviewer/analyzer health. The one source of truth for every view.
    ledger: dict[str, Any]
    actionable: list[dict[str, Any]]  # the fixer's work list: the ledger's open must/should fix
    fix_failures: list[str]
    tests_passing: bool
    passed_tests: int | None
    escalations: list[str]  # why a human must decide (gates failed, budget exhausted, …)
    touched: dict[str, list[str]]  # created / modified / deleted
    summary: dict[str, Any]
    decision: str  # "approve" | "reject"
    commit: str | None
    outcome: str  # final: committed | declined | escalated-declined


def round_reviews(state: LoopState, round_no: int) -> list[dict[str, Any]]:
    return [r for r in state.get("reviews", []) if r.get("round") == round_no]


def ledger_of(state: LoopState) -> Ledger:
    """The run's ledger (empty before the first triage)."""
    return Ledger.model_validate(state["ledger"]) if state.get("ledger") else Ledger()
