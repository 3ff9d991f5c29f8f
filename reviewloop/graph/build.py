"""The graph factory: wiring only. Nothing is compiled at import."""

from __future__ import annotations

from functools import partial

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from reviewloop.graph import nodes
from reviewloop.graph.budget import budgeted
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.routing import (
    route_after_fix,
    route_after_gates,
    route_after_present,
    route_after_triage,
)
from reviewloop.graph.state import LoopState


def fan_out(state: LoopState) -> list[Send]:
    """One `review` branch per reviewer, all in the same step so they run concurrently."""
    shared = {k: state[k] for k in ("run_id", "task_id", "round", "diff_path", "context_path",
                                    "baseline") if k in state}
    shared["addressed"] = state.get("addressed", []) if state.get("round", 1) > 1 else []
    return [Send("review", {**shared, "review_agent": name}) for name in state["agents"]]


def _dispatch(route, state: LoopState) -> str | list[Send]:
    target = route(state)
    return fan_out(state) if target == "review" else target


def build_graph(*, max_retries: int, max_rounds: int, checkpointer=None,
                budget_usd: float | None = None, prices=None):
    """The loop; with `budget_usd`, every decision point first checks the run's spend."""
    after_gates, after_triage, after_fix = (
        budgeted(r, budget_usd, prices or {})
        for r in (route_after_gates, route_after_triage, route_after_fix))
    graph = StateGraph(LoopState, context_schema=LoopDeps)
    for name in ("implement", "gates", "review", "triage", "fix", "present", "commit", "land"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "implement")
    graph.add_edge("implement", "gates")
    graph.add_conditional_edges(
        "gates", partial(_dispatch, partial(after_gates, max_retries=max_retries)),
        ["implement", "review", "present"])
    graph.add_edge("review", "triage")
    graph.add_conditional_edges(
        "triage", partial(after_triage, max_rounds=max_rounds), ["fix", "present"])
    graph.add_conditional_edges("fix", partial(_dispatch, after_fix),
                                ["review", "present"])
    graph.add_conditional_edges("present", route_after_present, {"commit": "commit",
                                                                 "end": END})
    graph.add_edge("commit", "land")
    graph.add_edge("land", END)
    return graph.compile(checkpointer=checkpointer)


def build_review_graph(*, max_rounds: int, fix: bool):
    """`reviewloop review`: the reviewers on a given diff, then optional fix rounds; no commit."""
    graph = StateGraph(LoopState, context_schema=LoopDeps)
    for name in ("review", "triage", "fix"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_conditional_edges(START, fan_out, ["review"])
    graph.add_edge("review", "triage")
    rounds = max_rounds if fix else 1
    graph.add_conditional_edges(
        "triage", partial(route_after_triage, max_rounds=rounds), {"fix": "fix",
                                                                   "present": END})
    graph.add_conditional_edges("fix", partial(_dispatch, _review_only(route_after_fix)),
                                ["review", END])
    return graph.compile()


def _review_only(route):
    def wrapped(state: LoopState) -> str:
        target = route(state)
        return END if target == "present" else target
    return wrapped
