"""Pure routing: each function reads state and names the next node."""

from __future__ import annotations

from reviewloop.graph.state import LoopState


def route_after_gates(state: LoopState, *, max_retries: int) -> str:
    """Pass → review; fail with retries left → implement again; else → present (escalated)."""
    if state.get("gates_passed"):
        return "review"
    if state.get("attempts", 0) <= max_retries and _retryable(state):
        return "implement"
    return "present"


def route_after_triage(state: LoopState, *, max_rounds: int) -> str:
    """Actionable findings and rounds left → fix; otherwise → present."""
    if state.get("actionable") and state.get("round", 1) < max_rounds:
        return "fix"
    return "present"


def route_after_fix(state: LoopState) -> str:
    """Re-review a fix that changed something and kept the tests green; else escalate."""
    if state.get("diff_path") and state.get("tests_passing", True):
        return "review"
    return "present"


def route_after_present(state: LoopState) -> str:
    return "commit" if state.get("decision") == "approve" else "end"


def _retryable(state: LoopState) -> bool:
    # A manual change cannot be re-implemented by reviewloop: escalate at once.
    return state.get("implementer", "llm") != "manual"
