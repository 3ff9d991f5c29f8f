"""Pure routing: each function reads state only and names the next node.

Every branch of the loop is decided here, once; the node a router sends to acts on that
decision and never makes it again. Limits come from `state.limits`, spend from the
`over_budget` fact the last node recorded.
"""

from __future__ import annotations

from typing import Literal

from langgraph.types import Send

from reviewloop.graph.state import LoopState
from reviewloop.graph.steps import review_tasks


def route_after_gates(state: LoopState) -> Literal["implement", "prepare", "escalate"]:
    """Pass → review; fail with retries left → implement again; else (or over budget) →
    escalate. A manual change cannot be re-implemented by reviewloop, nor a tool the gates
    need installed by it (`GateReport.tools_missing`), nor a failure only you can fix (a
    language whose coverage is not measured under a strict gate: `GateReport.for_user`;
    tests no command runs are not a failure, the verdict names them), nor an implementer
    command that is not there (`implementer_final`): escalated at once."""
    if state.over_budget or state.implementer_final:  # an implementer that is not there
        return "escalate"
    if state.gate_report is not None and state.gate_report.passed:
        return "prepare"
    if state.gate_report is not None and (state.gate_report.tools_missing
                                          or state.gate_report.for_user):
        return "escalate"
    if state.implementer != "manual" and state.attempts <= state.limits.max_retries:
        return "implement"
    return "escalate"


def route_after_prepare(state: LoopState) -> Literal["triage"] | list[Send]:
    """One `review` branch per (reviewer, chunk) of the round, all in the same step so they
    run concurrently; straight to triage when the round was stopped before its reviewers."""
    tasks = review_tasks(state)  # the same tasks an offline round runs in turn
    return [Send("review", task) for task in tasks] if tasks else "triage"


def route_after_triage(state: LoopState) -> Literal["snapshot", "present", "escalate"]:
    """Actionable findings, fixing on and rounds left → save the fix point, then fix; the
    last round reached with findings open → escalate; nothing to fix → present."""
    if state.over_budget:
        return "escalate"
    if not state.actionable or not state.limits.fix:
        return "present"
    if state.round < state.limits.max_rounds:
        return "snapshot"
    return "escalate"


def route_after_fix(state: LoopState) -> Literal["prepare", "escalate"]:
    """Re-review a fix that changed something and kept the tests green; else escalate."""
    if state.over_budget or state.fix_stopped:
        return "escalate"
    return "prepare"


def route_after_present(state: LoopState) -> Literal["commit", "end"]:
    return "commit" if state.decision == "approve" else "end"
