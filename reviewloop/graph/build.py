"""The graph factory: wiring only. Nothing is compiled at import."""

from __future__ import annotations

from functools import partial

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from reviewloop.graph import nodes
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.routing import (
    route_after_fix,
    route_after_gates,
    route_after_present,
    route_after_triage,
)
from reviewloop.graph.state import LoopState
from reviewloop.review.material import load_material
from reviewloop.runs.budget import budgeted


def fan_out(state: LoopState) -> str | list[Send]:
    """One `review` branch per reviewer and chunk of the round, all in the same step so they
    run concurrently; straight to triage when the round was stopped before its reviewers."""
    material = load_material(state["material_path"])
    if material.stopped:
        return "triage"
    shared = {k: state[k] for k in ("run_id", "task_id", "round", "diff_path", "context_path",
                                    "baseline", "material_path") if k in state}
    shared["addressed"] = state.get("addressed", []) if state.get("round", 1) > 1 else []
    return [Send("review", {**shared, "review_agent": agent, "review_chunk": index})
            for agent, index in material.assignments]


def build_graph(*, max_retries: int, max_rounds: int, checkpointer=None,
                budget_usd: float | None = None, prices=None):
    """The loop; with `budget_usd`, every decision point first checks the run's spend. A route
    to "review" goes through `prepare`, which readies the round for the fan-out."""
    after_gates, after_triage, after_fix = (
        budgeted(r, budget_usd, prices or {})
        for r in (route_after_gates, route_after_triage, route_after_fix))
    graph = StateGraph(LoopState, context_schema=LoopDeps)
    for name in ("implement", "gates", "prepare", "review", "triage", "fix", "present",
                 "commit", "land"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "implement")
    graph.add_edge("implement", "gates")
    graph.add_conditional_edges(
        "gates", partial(after_gates, max_retries=max_retries),
        {"implement": "implement", "review": "prepare", "present": "present"})
    graph.add_conditional_edges("prepare", fan_out, ["review", "triage"])
    graph.add_edge("review", "triage")
    graph.add_conditional_edges(
        "triage", partial(after_triage, max_rounds=max_rounds), ["fix", "present"])
    graph.add_conditional_edges("fix", after_fix, {"review": "prepare", "present": "present"})
    graph.add_conditional_edges("present", route_after_present, {"commit": "commit",
                                                                 "end": END})
    graph.add_edge("commit", "land")
    graph.add_edge("land", END)
    return graph.compile(checkpointer=checkpointer)


def build_review_graph(*, max_rounds: int, fix: bool):
    """`reviewloop review`: the reviewers on a given diff, then optional fix rounds; no commit."""
    graph = StateGraph(LoopState, context_schema=LoopDeps)
    for name in ("prepare", "review", "triage", "fix"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "prepare")
    graph.add_conditional_edges("prepare", fan_out, ["review", "triage"])
    graph.add_edge("review", "triage")
    rounds = max_rounds if fix else 1
    graph.add_conditional_edges(
        "triage", partial(route_after_triage, max_rounds=rounds), {"fix": "fix",
                                                                   "present": END})
    graph.add_conditional_edges("fix", route_after_fix, {"review": "prepare", "present": END})
    return graph.compile()
