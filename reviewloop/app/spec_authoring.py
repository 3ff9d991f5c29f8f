"""`spec new` and `spec resume`: a spec written one gated phase at a time. The use case
chooses the models (or says loudly that none is used), starts or resumes the session, and
drives it gate by gate; who answers the gates (`Gates`) and where words go (`Output`) are
the caller's: the terminal's dialog is `cli/spec_new.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reviewloop.app.output import Output
from reviewloop.authoring import docs
from reviewloop.authoring.graph import SpecDeps
from reviewloop.authoring.output import Summary, summarise
from reviewloop.authoring.sessions import SessionRecord, SpecSessions, Step
from reviewloop.authoring.start import (
    MakeModel,
    NewSpec,
    deps_for,
    existing_spec,
    first_state,
    models_usable,
    phase_models,
)
from reviewloop.config import Settings
from reviewloop.errors import UserInputError

if TYPE_CHECKING:  # chat models load LangChain: only when one is used
    from langchain_core.language_models import BaseChatModel

OFFLINE = ("NO MODEL WAS USED: {reason}. Every phase is an offline skeleton built from "
           "your description; edit the spec by hand or configure a model (`model` or "
           "`[models] spec` in .reviewloop.toml) and start again.")


class Gates(Protocol):
    """Who answers a spec session's gates."""

    def existing(self, found: Path) -> str | None:
        """The spec `found` exists: "revise", "fresh", or None to stop."""

    def answer(self, step: Step) -> dict[str, Any] | None:
        """The answer to the gate `step` waits at, or None to stop (drafts are kept)."""


def new(settings: Settings, root: Path, request: NewSpec, gates: Gates, out: Output, *,
        yes: bool = False, make_model: MakeModel | None = None
        ) -> tuple[Summary, dict[str, Any]] | None:
    """The spec written, with the session's values; None when stopped at a gate."""
    if yes:
        out.say("--yes does not skip spec gates; --approve-all does (and says so in the "
                "spec's front matter).")
    found = existing_spec(root, request)
    if found is not None and request.existing is None and request.interactive:
        choice = gates.existing(found)
        if choice is None:
            out.say("Stopped: the existing spec is unchanged.")
            return None
        request = replace(request, existing=choice)
    make_model, label = models(settings, make_model, out)
    state = first_state(root, request, label)
    if request.research and make_model is not None:
        out.say(docs.describe(root))
    sessions = SpecSessions(root)
    deps = deps_for(root, settings, make_model)
    step = sessions.start(state, deps, fresh=request.existing == "fresh")
    return drive(sessions, step, deps, root, gates, out)


def sessions_of(root: Path) -> Sequence[SessionRecord]:
    return SpecSessions(root).list()


def resume(settings: Settings, root: Path, name: str | None, gates: Gates, out: Output, *,
           make_model: MakeModel | None = None) -> tuple[Summary, dict[str, Any]] | None:
    sessions = SpecSessions(root)
    record = sessions.find(name)
    make_model, _ = models(settings, make_model, out)
    deps = deps_for(root, settings, make_model)
    step = sessions.waiting(record.name)
    if step.status == "drafting":  # stopped (or killed) while a phase was being drafted
        step = sessions.resume(record.name, None, deps)
    return drive(sessions, step, deps, root, gates, out)


def models(settings: Settings, make_model: MakeModel | None,
           out: Output) -> tuple[MakeModel | None, str | None]:
    """The chat models of the phases and their names; none, said loudly, when no model is
    configured or usable."""
    chosen = sorted({m for m in phase_models(settings).values() if m})
    if make_model is None and chosen and models_usable(settings):
        from reviewloop.agent.models import make_chat_model

        def chat_model(name: str) -> BaseChatModel:
            return make_chat_model(name, region=settings.region)
        make_model = chat_model
    if make_model is None or not chosen:
        reason = "no model is configured" if not chosen else \
            f"no credentials for {', '.join(chosen)}"
        out.warn(OFFLINE.format(reason=reason), style="bold red")
        return None, None
    return make_model, ", ".join(chosen)


def drive(sessions: SpecSessions, step: Step, deps: SpecDeps, root: Path, gates: Gates,
          out: Output) -> tuple[Summary, dict[str, Any]] | None:
    while step.status == "waiting":
        _refuse_unapprovable(sessions, step)
        answer = gates.answer(step)
        if answer is None:
            out.say(f"Stopped. Drafts are saved; continue with `reviewloop spec resume "
                    f"{step.name}`.")
            return None
        step = sessions.resume(step.name, answer, deps)
    summary = summarise(root, root / step.values["tasks_file"], step.values["approved"])
    return summary, step.values


def _refuse_unapprovable(sessions: SpecSessions, step: Step) -> None:
    """With --approve-all a gate stops only for a draft the spec reader rejects, which no
    answer can approve (offline nothing redrafts it; a model already retried): exit 2
    naming the problems, not a quiet "Stopped" with exit 0 and nothing written. The
    session is dropped, so the same command runs again once the files are corrected."""
    problems = step.waiting.get("problems") or []
    if not (problems and step.values.get("approve_all")):
        return
    sessions.forget(step.name)
    phase = str(step.waiting.get("phase", "")).replace("_", "-")
    raise UserInputError(
        f"--approve-all: the {phase} draft cannot be approved: {'; '.join(problems)}; "
        "nothing written", where=step.values.get("tasks_file") or step.name,
        fix="correct the spec's files as the reader says (a spec being revised: its "
            "existing text), then run the command again; or drop --approve-all and answer "
            "the gate with feedback")
