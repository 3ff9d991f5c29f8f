"""The graph factories: wiring only. Nothing is compiled at import, and no limit is passed
here: the limits travel in the run's input state (`state.Limits`)."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from reviewloop.graph import nodes
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.routing import (
    route_after_fix,
    route_after_gates,
    route_after_prepare,
    route_after_present,
    route_after_triage,
)
from reviewloop.graph.state import FixStart, InputState, LoopState, ReviewStart, ReviewTask

Graph = CompiledStateGraph[LoopState, LoopDeps, InputState, LoopState]


def build_graph(*, checkpointer: BaseCheckpointSaver | None = None) -> Graph:
    """The loop: implement → gates → review rounds with fixes → present → commit → land,
    saving its state to `checkpointer`. Compiled once per process (`_loop`) and copied with
    each checkpointer: a run's command builds it several times (start, the store's keeper,
    resume), and each compile resolves every node's type hints again (~20 ms)."""
    compiled = _loop()
    return compiled if checkpointer is None else \
        compiled.copy(update={"checkpointer": checkpointer})


@cache
def _loop() -> Graph:
    graph = StateGraph(LoopState, context_schema=LoopDeps, input_schema=InputState)
    _review_rounds(graph)
    for name in ("implement", "gates", "present", "commit", "land"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_edge(START, "implement")
    graph.add_edge("implement", "gates")
    graph.add_conditional_edges("gates", route_after_gates)
    graph.add_edge("escalate", "present")
    graph.add_conditional_edges("present", route_after_present, {"commit": "commit",
                                                                 "end": END})
    graph.add_edge("commit", "land")
    graph.add_edge("land", END)
    return graph.compile()


@cache
def build_review_graph() -> CompiledStateGraph[LoopState, LoopDeps, ReviewStart, LoopState]:
    """`reviewloop review`: the reviewers on a given diff, then fix rounds when the input's
    limits allow them; no commit, and "present" is the end. Built once per process: the
    compiled graph holds no run's data (that comes with each invocation's input and
    context), and building it resolves every node's type hints again (~0.1 s)."""
    graph = StateGraph(LoopState, context_schema=LoopDeps, input_schema=ReviewStart)
    _review_rounds(graph, present=END)
    graph.add_edge(START, "prepare")
    graph.add_edge("escalate", END)
    return graph.compile()


def build_fix_graph() -> CompiledStateGraph[LoopState, LoopDeps, FixStart, LoopState]:
    """`/reviewloop fix` on a pull request: the fix of the findings given, then re-reviews
    of only the fix and more fix rounds while the limits allow; no commit here (the caller
    commits and pushes), and "present" is the end."""
    graph = StateGraph(LoopState, context_schema=LoopDeps, input_schema=FixStart)
    _review_rounds(graph, present=END)
    graph.add_edge(START, "snapshot")
    graph.add_edge("escalate", END)
    return graph.compile()


def _review_rounds(graph: StateGraph[LoopState, LoopDeps, Any, LoopState],
                   present: str = "present") -> None:
    """prepare → review × N → triage → (snapshot → fix → prepare …) or escalate/present."""
    graph.add_node("prepare", nodes.prepare)
    # LangGraph's overloads do not match a node whose input is its own schema (a Send branch).
    graph.add_node("review", cast(Any, nodes.review), input_schema=ReviewTask)
    for name in ("triage", "snapshot", "fix", "escalate"):
        graph.add_node(name, getattr(nodes, name))
    graph.add_conditional_edges("prepare", route_after_prepare, ["review", "triage"])
    graph.add_edge("review", "triage")
    graph.add_conditional_edges("triage", route_after_triage, {
        "snapshot": "snapshot", "present": present, "escalate": "escalate"})
    graph.add_edge("snapshot", "fix")
    graph.add_conditional_edges("fix", route_after_fix)
