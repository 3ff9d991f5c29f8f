"""The work behind `reviewloop handoff`, `pickup` and `note`: gathering the facts, the prose,
writing the handoff and comparing it with where things stand now. The command line prints
these as text or JSON (`cli/session_commands.py`); a run's `run.then = ["handoff"]` tells
them through its `Output`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.app.output import Output
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.config import Settings, model_for
from reviewloop.errors import CredentialsError, UserInputError
from reviewloop.git import repo_writes
from reviewloop.session import facts as session_facts
from reviewloop.session import handoff as doc
from reviewloop.session import memory, notes
from reviewloop.session.pickup import summary as pickup_summary
from reviewloop.state_dir import state_folder

if TYPE_CHECKING:  # chat models load LangChain: only when one is used
    from langchain_core.language_models import BaseChatModel

MakeModel = Callable[[str], Any]


@dataclass(frozen=True)
class Written:
    """A handoff written: its facts and prose, the files, what was learned (with --learn)."""

    facts: session_facts.Facts
    prose: str | None
    written: list[Path]
    learned: list[str] | None  # None: not asked to learn

    def as_json(self, root: Path) -> dict[str, Any]:
        return {**doc.as_json(self.facts, self.prose),
                "written": [p.relative_to(root).as_posix() for p in self.written],
                "learned": self.learned or []}


def write(settings: Settings, root: Path, *, learn: bool = False, outputs: tuple[str, ...] = (),
          make_model: MakeModel | None = None) -> Written:
    doc.check(root)  # refused before anything is written (the stores read for the facts too)
    notes.readable(root)
    if learn:  # memory.md's own checks, and a file where its folders must be
        memory.check(root)
        repo_writes.in_the_way(root, memory.MEMORY_MD)
    facts = _gather(settings, root, previous=doc.read(root),
                    outputs=outputs or settings.handoff_outputs)
    prose = _prose(settings, facts, make_model)
    written = doc.write(root, facts, prose)
    learned = memory.append(root, memory.learnings(notes.read(root))) if learn else None
    return Written(facts, prose, list(written), learned)


def tell(done: Written, root: Path, out: Output) -> None:
    """The handoff as text, then the files written and what was learned, beside it."""
    out.say(doc.render(done.facts, done.prose))
    out.warn("written: " + ", ".join(p.relative_to(root).as_posix() for p in done.written))
    if done.learned is not None:
        out.warn(f"learned: {len(done.learned)} new line(s) in {memory.MEMORY_MD}"
                 if done.learned else f"learned: nothing new for {memory.MEMORY_MD} (record "
                 "one with `reviewloop note \"…\"`)")


def pickup(settings: Settings, root: Path) -> dict[str, Any]:
    """Where the saved handoff left off, and what changed since."""
    state_folder(root)  # exit 2 for a file or a dangling link there, never "no handoff"
    saved = doc.read(root)
    damaged = doc.damage(root)
    if damaged is not None:
        raise UserInputError(
            f"the handoff is damaged: {damaged}", where=doc.HANDOFF_JSON,
            fix="end the session again with `reviewloop handoff`: it keeps the damaged file "
                f"beside the new one ({doc.HANDOFF_JSON}.damaged-<time>)")
    if saved is None:
        raise UserInputError("no handoff to pick up", where=doc.HANDOFF_JSON,
                             fix="end a session with `reviewloop handoff`")
    return pickup_summary(root, saved, _gather(settings, root, previous=saved, reading=True))


def note(root: Path, text: str, kind: str = "decision") -> notes.Note:
    return notes.add(root, text, kind)


def _gather(settings: Settings, root: Path, *, previous: session_facts.Facts | None,
            outputs: tuple[str, ...] = (), reading: bool = False) -> session_facts.Facts:
    """The facts now; `reading` (pickup) writes nothing, so a read-only checkout works."""
    sessions = [r.name for r in SpecSessions(root, reading=reading).list() if r.status != "written"]
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
