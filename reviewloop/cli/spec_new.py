"""`reviewloop spec new` and `spec resume`: the spec-writing gates at the terminal."""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from reviewloop.authoring import docs
from reviewloop.authoring import phases as ph
from reviewloop.authoring.graph import SpecDeps
from reviewloop.authoring.output import Summary, summarise
from reviewloop.authoring.sessions import SpecSessions, Step
from reviewloop.authoring.start import (
    EXISTING,
    MakeModel,
    NewSpec,
    deps_for,
    existing_spec,
    first_state,
    models_usable,
    phase_models,
)
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import ExitCode

if TYPE_CHECKING:  # chat models load LangChain: only when one is used
    from langchain_core.language_models import BaseChatModel

_OFFLINE = ("NO MODEL WAS USED: {reason}. Every phase is an offline skeleton built from "
            "your description; edit the spec by hand or configure a model (`model` or "
            "`[models] spec` in .reviewloop.toml) and start again.")


def new(settings: Settings, root: Path, request: NewSpec, *, yes: bool = False,
        make_model: MakeModel | None = None) -> int:
    out = ui.console()
    if yes:
        out.print("--yes does not skip spec gates; --approve-all does (and says so in the "
                  "spec's front matter).")
    found = existing_spec(root, request)
    if found is not None and request.existing is None and request.interactive:
        choice = _ask_existing(found)
        if choice is None:
            out.print("Stopped: the existing spec is unchanged.")
            return ExitCode.OK
        request = replace(request, existing=choice)
    make_model, label = _models(settings, make_model)
    state = first_state(root, request, label)
    if request.research and make_model is not None:
        out.print(docs.describe(root), markup=False)
    sessions = SpecSessions(root)
    deps = deps_for(root, settings, make_model)
    step = sessions.start(state, deps)
    return _drive(sessions, step, deps, root)


def _ask_existing(found: Path) -> str | None:
    """Revise the spec that is there, start fresh over it, or stop (None)."""
    ui.console().print(f"{escape(str(found))} already exists. [bold]revise[/]: load it as the "
                       "draft and revise it; [bold]fresh[/]: write a new spec over it (the old "
                       "files are backed up under .reviewloop/spec-backups/).", highlight=False)
    choices = [*EXISTING, "stop"]
    try:
        answer = click.prompt("/".join(choices), type=click.Choice(choices), default="revise",
                              show_choices=False)
    except (click.exceptions.Abort, EOFError):
        return None
    return None if answer == "stop" else str(answer)


def resume(settings: Settings, root: Path, name: str | None, *, list_only: bool = False,
           make_model: MakeModel | None = None) -> int:
    sessions = SpecSessions(root)
    out = ui.console()
    if list_only:
        for record in sessions.list():
            out.print(f"{record.name}  {record.status}  {record.tasks_file}  ({record.updated})",
                      markup=False)
        return ExitCode.OK
    record = sessions.find(name)
    make_model, _ = _models(settings, make_model)
    deps = deps_for(root, settings, make_model)
    step = sessions.waiting(record.name)
    if step.status == "drafting":  # stopped (or killed) while a phase was being drafted
        step = sessions.resume(record.name, None, deps)
    return _drive(sessions, step, deps, root)


def _models(settings: Settings,
            make_model: MakeModel | None) -> tuple[MakeModel | None, str | None]:
    chosen = sorted({m for m in phase_models(settings).values() if m})
    if make_model is None and chosen and models_usable(settings):
        from reviewloop.agent.models import make_chat_model

        def chat_model(name: str) -> BaseChatModel:
            return make_chat_model(name, region=settings.region)
        make_model = chat_model
    if make_model is None or not chosen:
        reason = "no model is configured" if not chosen else \
            f"no credentials for {', '.join(chosen)}"
        ui.console(stderr=True).print(f"[bold red]{escape(_OFFLINE.format(reason=reason))}[/]")
        return None, None
    return make_model, ", ".join(chosen)


def _drive(sessions: SpecSessions, step: Step, deps: SpecDeps, root: Path) -> int:
    out = ui.console()
    while step.status == "waiting":
        answer = _ask(step)
        if answer is None:
            out.print(f"Stopped. Drafts are saved; continue with `reviewloop spec resume "
                      f"{step.name}`.")
            return ExitCode.OK
        step = sessions.resume(step.name, answer, deps)
    summary = summarise(root, root / step.values["tasks_file"], step.values["approved"])
    _print_summary(summary, step.values)
    return ExitCode.OK if not summary.diagnostics else ExitCode.BLOCKING


def _ask(step: Step) -> dict[str, Any] | None:
    waiting = step.waiting
    out = ui.console()
    try:
        if waiting.get("kind") == "questions":
            out.print("[bold]Clarifying questions[/] (answer in one line; empty to skip):")
            for number, question in enumerate(waiting["questions"], 1):
                out.print(f"  {number}. {question}", markup=False)
            return {"text": click.prompt("Answers", default="", show_default=False)}
        _show_gate(waiting)
        choices = ["feedback", "stop"] if waiting.get("problems") else ["approve", "feedback",
                                                                         "stop"]
        action = click.prompt(f"{'/'.join(choices)}", type=click.Choice(choices),
                              default=choices[0], show_choices=False)
        if action == "stop":
            return None
        if action == "feedback":
            return {"action": "feedback", "text": click.prompt("Feedback")}
        return {"action": "approve"}
    except (click.exceptions.Abort, EOFError):
        return None


def _show_gate(waiting: dict[str, Any]) -> None:
    out = ui.console()
    phase = waiting["phase"]
    out.rule(f"{ph.TITLES[phase]} — review")
    previous = waiting.get("previous")
    if previous is not None and previous != waiting["draft"]:
        out.print("[bold]Revised, as a diff against the previous draft:[/]")
        for line in difflib.unified_diff(previous.splitlines(), waiting["draft"].splitlines(),
                                         "previous draft", "revised draft", lineterm=""):
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            out.print(line, style=style, markup=False)
    else:
        out.print(waiting["draft"], markup=False)
    for problem in waiting.get("problems") or []:
        out.print(f"[bold red]spec reader:[/] {problem}")
    if waiting.get("problems"):
        out.print("[bold red]This draft cannot be approved until the reader accepts it.[/]")


def _print_summary(summary: Summary, values: dict[str, Any]) -> None:
    out = ui.console()
    out.rule("Spec written")
    if not values.get("model"):
        ui.console(stderr=True).print(
            "[bold red]NO MODEL WAS USED: this spec is an offline skeleton.[/]")
    if values.get("approve_all"):
        out.print("[bold yellow]--approve-all: no phase was reviewed by a human "
                  "(the front matter says so).[/]")
    out.print(f"path: {summary.path} ({summary.format})\n"
              f"requirements: {summary.functional} functional, {summary.non_functional} "
              f"non-functional\ncomponents: {summary.components}\n"
              f"tasks: {summary.tasks} in {summary.waves} wave(s)", markup=False)
    for backup in values.get("backups") or []:
        out.print(f"replaced; the previous text is kept in {backup}", markup=False)
    for line in summary.diagnostics:
        out.print(f"[yellow]reader diagnostic:[/] {line}")
    out.print(f"next: {summary.next_command}", markup=False)

