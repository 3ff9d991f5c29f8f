"""The work behind `reviewloop handoff`, `pickup` and `note`: gathering the facts, the prose,
writing the handoff and comparing it with where things stand now."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.authoring.sessions import SpecSessions
from reviewloop.cli import ui
from reviewloop.config import Settings, model_for
from reviewloop.errors import CredentialsError, ExitCode, UserInputError
from reviewloop.session import facts as session_facts
from reviewloop.session import handoff as doc
from reviewloop.session import memory, notes
from reviewloop.session.pickup import summary as pickup_summary

if TYPE_CHECKING:  # chat models load LangChain: only when one is used
    from langchain_core.language_models import BaseChatModel

MakeModel = Callable[[str], Any]


def write(settings: Settings, root: Path, *, as_json: bool, learn: bool = False,
          outputs: tuple[str, ...] = (), make_model: MakeModel | None = None) -> int:
    facts = _gather(settings, root, previous=doc.read(root),
                    outputs=outputs or settings.handoff_outputs)
    prose = _prose(settings, facts, make_model)
    written = doc.write(root, facts, prose)
    learned = memory.append(root, memory.learnings(notes.read(root))) if learn else []
    if as_json:
        print(json.dumps({**doc.as_json(facts, prose),
                          "written": [p.relative_to(root).as_posix() for p in written],
                          "learned": learned}, indent=2, ensure_ascii=False))
        return ExitCode.OK
    ui.console().print(doc.render(facts, prose), markup=False)
    err = ui.console(stderr=True)
    err.print("written: " + ", ".join(p.relative_to(root).as_posix() for p in written))
    if learn:
        err.print(f"learned: {len(learned)} new line(s) in {memory.MEMORY_MD}" if learned else
                  f"learned: nothing new for {memory.MEMORY_MD} (record one with "
                  "`reviewloop note \"…\"`)", markup=False)
    return ExitCode.OK


def pickup(settings: Settings, root: Path, *, as_json: bool) -> int:
    saved = doc.read(root)
    if saved is None:
        raise UserInputError("no handoff to pick up", where=doc.HANDOFF_JSON,
                             fix="end a session with `reviewloop handoff`")
    report = pickup_summary(root, saved, _gather(settings, root, previous=saved))
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return ExitCode.OK
    out = ui.console()
    if report["discrepancies"]:
        out.print("[bold yellow]Changed since the handoff:[/]")
        for item in report["discrepancies"]:
            out.print(f"  ! {item}", markup=False)
    for title, key in (("Where we left off", "left_off"), ("Next", "next"),
                       ("Blockers", "blockers")):
        out.print(f"[bold]{title}:[/]")
        items = report[key] or ["none"]
        for number, item in enumerate(items, 1):
            out.print(f"  {number}. {item}" if key == "next" else f"  - {item}", markup=False)
    return ExitCode.OK


def note(root: Path, text: str, kind: str = "decision") -> int:
    recorded = notes.add(root, text, kind)
    ui.console().print(f"noted ({recorded.kind}): {recorded.text}", markup=False)
    return ExitCode.OK


def _gather(settings: Settings, root: Path, *, previous: session_facts.Facts | None,
            outputs: tuple[str, ...] = ()) -> session_facts.Facts:
    sessions = [r.name for r in SpecSessions(root).list() if r.status != "written"]
    return session_facts.gather(root, previous=previous, spec_sessions=sessions,
                                missing_credentials=_credentials(settings),
                                outputs=outputs or settings.handoff_outputs)


def _credentials(settings: Settings) -> str | None:
    model = model_for(settings, "implement")
    if not model:
        return None
    from reviewloop.agent.models import check_credentials

    try:
        check_credentials(model, settings.region)
    except CredentialsError as exc:
        return str(exc).replace("\n", " ")
    return None


def _prose(settings: Settings, facts: session_facts.Facts,
           make_model: MakeModel | None) -> str | None:
    model = model_for(settings, "review")
    if not model or (make_model is None and _credentials(settings)):
        return None
    if make_model is None:
        from reviewloop.agent.models import make_chat_model

        def chat_model(name: str) -> BaseChatModel:
            return make_chat_model(name, region=settings.region)
        make_model = chat_model
    from reviewloop.session.prose import summarise

    return summarise(make_model(model), facts)
