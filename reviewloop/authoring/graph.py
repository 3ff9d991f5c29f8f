"""The spec-writing graph: draft a phase, stop at its gate, revise or move on, write the files.

Model calls happen in `draft_*` nodes and the gates only `interrupt()`, so resuming a gate
(after a stop or a crash) re-runs nothing but the question to the human.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Required, TypedDict

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from reviewloop.authoring import drafting
from reviewloop.authoring import phases as ph
from reviewloop.authoring.output import publish

APPROVE, FEEDBACK = "approve", "feedback"


class SpecState(TypedDict, total=False):
    name: Required[str]
    what: Required[str]
    format: str
    research: bool
    approve_all: bool
    interactive: bool
    model: str | None  # what the front matter names; None offline
    created: str
    questions: list[str]
    answers: str
    drafts: dict[str, str]  # the current draft of each phase
    previous: dict[str, str]  # the draft each revision replaced, for the diff
    problems: dict[str, list[str]]  # what the reader still objects to, per phase
    feedback: dict[str, list[str]]
    approved: dict[str, str]
    decision: dict[str, str]  # the last gate's answer: phase, action, text
    files: list[str]
    tasks_file: str
    loaded: dict[str, str]  # the existing spec's text per phase, when revising it
    kept: dict[str, Any]  # what a revised single document holds besides its phases
    intro: str  # the revised spec's opening description: the old one and the revision
    backups: list[str]  # files the write replaced, copied under .reviewloop/ first


@dataclass(frozen=True)
class SpecDeps:
    """What nodes need at run time, never checkpointed: the repository and the models."""

    root: Path
    model_for: Any  # phase -> BaseChatModel | None
    tools: drafting.ResearchTools | None = None
    context: str = ""  # steering files and existing specs, gathered once per process


def _inputs(state: SpecState, deps: SpecDeps) -> ph.Inputs:
    return ph.Inputs(what=state["what"], name=state["name"],
                     approved=state.get("approved", {}), context=deps.context,
                     answers=state.get("answers", ""))


def ask_questions(state: SpecState, runtime: Runtime[SpecDeps]) -> dict[str, Any]:
    model = runtime.context.model_for(ph.REQUIREMENTS)
    return {"questions": drafting.questions(model, state["what"])}


def answer_questions(state: SpecState) -> dict[str, Any]:
    asked = state.get("questions") or []
    if not asked:
        return {"answers": ""}
    if state.get("interactive") and not state.get("approve_all"):
        reply = interrupt({"kind": "questions", "questions": asked})
        return {"answers": str(reply.get("text", "") if isinstance(reply, dict) else reply)}
    listed = "\n".join(f"- {q}" for q in asked)
    return {"answers": f"Nobody was asked; list these under Open questions:\n{listed}"}


def draft(phase: str, state: SpecState, runtime: Runtime[SpecDeps]) -> dict[str, Any]:
    drafts, previous = dict(state.get("drafts", {})), dict(state.get("previous", {}))
    decision = state.get("decision") or {}
    revising = decision.get("phase") == phase and decision.get("action") == FEEDBACK
    before = drafts.get(phase) if revising else None
    feedback = state.get("feedback", {}).get(phase) if revising else None
    model = runtime.context.model_for(phase)
    loaded = state.get("loaded", {})
    if before is None and phase in loaded:  # an existing spec, revised
        before = loaded[phase]
        feedback = [ph.revision_note(state["what"])] if model is not None else None
    result = drafting.draft_phase(phase, _inputs(state, runtime.context), model,
                                  feedback=feedback, previous=before,
                                  tools=runtime.context.tools)
    drafts[phase] = result.text
    if before is not None:
        previous[phase] = before
    else:
        previous.pop(phase, None)
    problems = {**state.get("problems", {}), phase: list(result.problems)}
    return {"drafts": drafts, "previous": previous, "problems": problems, "decision": {}}


def gate(phase: str, state: SpecState) -> dict[str, Any]:
    text = state.get("drafts", {})[phase]
    problems = state.get("problems", {}).get(phase, [])
    if state.get("approve_all") and not problems:
        answer = {"action": APPROVE}
    else:
        answer = interrupt({"kind": "gate", "phase": phase, "draft": text,
                            "previous": state.get("previous", {}).get(phase),
                            "problems": problems})
    action = answer.get("action") if isinstance(answer, dict) else str(answer)
    note = str(answer.get("text", "")) if isinstance(answer, dict) else ""
    if action == APPROVE and not problems:
        return {"approved": {**state.get("approved", {}), phase: text},
                "decision": {"phase": phase, "action": APPROVE}}
    note = note or "fix the problems the spec reader reported: " + "; ".join(problems)
    feedback = {**state.get("feedback", {})}
    feedback[phase] = [*feedback.get(phase, []), note]
    return {"feedback": feedback, "decision": {"phase": phase, "action": FEEDBACK,
                                                "text": note}}


def write(state: SpecState, runtime: Runtime[SpecDeps]) -> dict[str, Any]:
    tasks_file, files, backups = publish(runtime.context.root, state)
    return {"tasks_file": str(tasks_file), "files": [str(f) for f in files],
            "backups": [str(b) for b in backups]}


def route_start(state: SpecState) -> str:
    return f"draft_{ph.RESEARCH}" if state.get("research") else "ask_questions"


def route_after_gate(phase: str, state: SpecState) -> str:
    if (state.get("decision") or {}).get("action") == FEEDBACK:
        return f"draft_{phase}"
    if phase == ph.RESEARCH:
        return "ask_questions"
    following = ph.PHASES[ph.PHASES.index(phase) + 1:]
    return f"draft_{following[0]}" if following else "write"


def build_spec_graph(checkpointer: BaseCheckpointSaver | None = None
                     ) -> CompiledStateGraph[SpecState, SpecDeps, SpecState, SpecState]:
    graph = StateGraph(SpecState, context_schema=SpecDeps)
    graph.add_node("ask_questions", ask_questions)
    graph.add_node("answer_questions", answer_questions)
    graph.add_node("write", write)
    for phase in ph.PHASES:
        graph.add_node(f"draft_{phase}", partial(draft, phase))
        graph.add_node(f"gate_{phase}", partial(gate, phase))
        graph.add_edge(f"draft_{phase}", f"gate_{phase}")
        following = ph.PHASES[ph.PHASES.index(phase) + 1:]
        targets = [f"draft_{phase}", "ask_questions" if phase == ph.RESEARCH else
                   (f"draft_{following[0]}" if following else "write")]
        graph.add_conditional_edges(f"gate_{phase}", partial(route_after_gate, phase), targets)
    graph.add_conditional_edges(START, route_start, [f"draft_{ph.RESEARCH}", "ask_questions"])
    graph.add_edge("ask_questions", "answer_questions")
    graph.add_edge("answer_questions", f"draft_{ph.REQUIREMENTS}")
    graph.add_edge("write", END)
    return graph.compile(checkpointer=checkpointer)
