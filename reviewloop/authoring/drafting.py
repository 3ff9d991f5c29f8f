"""Drafting one phase with a model: the call, the reader's check, and sending a rejected
draft back with the reader's message. Without a model a phase is its offline skeleton."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from reviewloop.authoring import phases as ph
from reviewloop.authoring.validate import (
    DESIGN_LAYERS,
    check_plan,
    check_requirements,
    check_sections,
    check_trace,
)

MAX_ATTEMPTS = 3  # a draft the reader rejects goes back to the model at most twice


@dataclass(frozen=True)
class Draft:
    """A phase's text, and what the reader still objects to (empty: it reads cleanly)."""

    text: str
    problems: tuple[str, ...] = ()
    attempts: int = 1


ResearchTools = Callable[[], list]  # the read-only repository tools, built on demand


def draft_phase(phase: str, inputs: ph.Inputs, model: BaseChatModel | None, *,
                feedback: list[str] | None = None, previous: str | None = None,
                tools: ResearchTools | None = None) -> Draft:
    """Draft (or revise) `phase`; a reader-rejected draft is retried with the problems."""
    if model is None:  # offline: the skeleton, with the reviewer's notes kept verbatim
        text = previous if previous is not None else ph.skeleton(phase, inputs)
        text += "".join(f"\n\n> Review note: {note}" for note in feedback or ())
        return Draft(text, tuple(_problems(phase, text, inputs)))
    problems: list[str] = []
    text = ""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if attempt > 1:  # the reader rejected the last reply: send it back with why
            message = ph.prompt(phase, inputs, previous=text,
                                problems="\n".join(f"- {p}" for p in problems))
        else:
            message = ph.prompt(phase, inputs, feedback=feedback, previous=previous)
        text = _ask(model, message, tools() if phase == ph.RESEARCH and tools else None)
        problems = _problems(phase, text, inputs)
        if not problems:
            return Draft(text, (), attempt)
    return Draft(text, tuple(problems), MAX_ATTEMPTS)


def questions(model: BaseChatModel | None, what: str) -> list[str]:
    """Clarifying questions the model would ask first; none offline."""
    if model is None:
        return []
    return ph.parse_questions(_ask(model, ph.QUESTIONS.format(what=what), None))


def _problems(phase: str, text: str, inputs: ph.Inputs) -> list[str]:
    if not text.strip():
        return ["the draft is empty"]
    problems = check_sections(phase, text)
    if phase == ph.REQUIREMENTS:
        problems += check_requirements(text)
    if phase in DESIGN_LAYERS:
        problems += check_trace(phase, inputs.approved.get(ph.REQUIREMENTS, ""), text)
    if phase == ph.TASKS:
        problems += check_plan(inputs.approved.get(ph.REQUIREMENTS, ""), text)
    return problems


def _ask(model: BaseChatModel, message: str, tools: list | None) -> str:
    messages = [SystemMessage(ph.SYSTEM), HumanMessage(message)]
    if tools:
        from reviewloop.agent.tool_loop import run_agent

        result = run_agent(model, messages, tools, max_steps=20)
        reply = result.replies[-1]
    else:
        reply = model.invoke(messages)
    return _text(reply).strip()


def _text(reply: AIMessage) -> str:
    content = reply.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content
                   if isinstance(part, dict) and part.get("type", "text") == "text")
