"""`reviewloop spec new` and `spec resume` at the terminal: the gates' dialog (a draft shown,
approve / feedback / stop asked) and the written spec's summary; the use case, choosing the
models and driving the session gate by gate, is `app/spec_authoring.py`."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.text import Text

from reviewloop.app import spec_authoring
from reviewloop.authoring import phases as ph
from reviewloop.authoring.output import Summary
from reviewloop.authoring.sessions import Step
from reviewloop.authoring.start import EXISTING, MakeModel, NewSpec
from reviewloop.cli import asking, ui
from reviewloop.cli.terminal import terminal
from reviewloop.config import Settings
from reviewloop.errors import ExitCode


def new(settings: Settings, root: Path, request: NewSpec, *, yes: bool = False,
        make_model: MakeModel | None = None) -> int:
    return _done(spec_authoring.new(settings, root, request, Dialog(), terminal(), yes=yes,
                                    make_model=make_model))


def resume(settings: Settings, root: Path, name: str | None, *, list_only: bool = False,
           make_model: MakeModel | None = None) -> int:
    if list_only:
        for record in spec_authoring.sessions_of(root):
            ui.console().print(f"{record.name}  {record.status}  {record.tasks_file}  "
                               f"({record.updated})", markup=False)
        return ExitCode.OK
    return _done(spec_authoring.resume(settings, root, name, Dialog(), terminal(),
                                       make_model=make_model))


def _done(written: tuple[Summary, dict[str, Any]] | None) -> int:
    if written is None:  # stopped at a gate, or before the first
        return ExitCode.OK
    summary, values = written
    _print_summary(summary, values)
    return ExitCode.OK if not summary.diagnostics else ExitCode.BLOCKING


class Dialog:
    """The gates answered at the terminal."""

    def existing(self, found: Path) -> str | None:
        return _ask_existing(found)

    def answer(self, step: Step) -> dict[str, Any] | None:
        return _ask(step)


def _ask_existing(found: Path) -> str | None:
    """Revise the spec that is there, start fresh over it, or stop (None)."""
    ui.console().print(f"{escape(str(found))} already exists. [bold]revise[/]: load it as the "
                       "draft and revise it; [bold]fresh[/]: write a new spec over it (the old "
                       "files are backed up under .reviewloop/spec-backups/).", highlight=False)
    choices = [*EXISTING, "stop"]
    try:
        answer = asking.ask("/".join(choices), choices=choices, default="revise")
    except EOFError:
        return None
    return None if answer == "stop" else answer


def _ask(step: Step) -> dict[str, Any] | None:
    waiting = step.waiting
    out = ui.console()
    try:
        if waiting.get("kind") == "questions":
            out.print("[bold]Clarifying questions[/] (answer in one line; empty to skip):")
            for number, question in enumerate(waiting["questions"], 1):
                out.print(f"  {number}. {question}", markup=False)
            return {"text": asking.ask("Answers", default="")}
        _show_gate(waiting)
        choices = ["feedback", "stop"] if waiting.get("problems") else ["approve", "feedback",
                                                                         "stop"]
        action = asking.ask("/".join(choices), choices=choices, default=choices[0])
        if action == "stop":
            return None
        if action == "feedback":
            return {"action": "feedback", "text": asking.ask("Feedback")}
        return {"action": "approve"}
    except EOFError:  # the end of the input stops the spec there (the draft is kept)
        return None
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: the command ends (130, 143, 129)
        ui.console(stderr=True).print(
            f"Drafts are saved; continue with `reviewloop spec resume {step.name}`.",
            markup=False)
        raise


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
        out.print(Text.assemble(("spec reader:", "bold red"), f" {problem}"))  # as text
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
        out.print(Text.assemble(("reader diagnostic:", "yellow"), f" {line}"))
    out.print(f"next: {summary.next_command}", markup=False)

