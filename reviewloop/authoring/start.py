"""Starting a spec session: its name, where it will be written, its first state, its models."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewloop.agent.models import llm_available
from reviewloop.agent.roles import Models
from reviewloop.authoring import docs, document, existing
from reviewloop.authoring import phases as ph
from reviewloop.authoring.context import gather
from reviewloop.authoring.graph import SpecDeps
from reviewloop.authoring.sessions import check_name, slug
from reviewloop.config import Settings, model_for
from reviewloop.errors import UserInputError
from reviewloop.git import repo_writes

MakeModel = Callable[[str], Any]  # model string -> BaseChatModel


@dataclass(frozen=True)
class NewSpec:
    what: str
    name: str | None = None
    format: str = "doc"
    research: bool = False
    approve_all: bool = False
    interactive: bool = True
    existing: str | None = None  # what to do with a spec already there: revise | fresh


EXISTING = ("revise", "fresh")
_EXISTING_FIX = ("pass --revise to load it as the draft and revise it, --fresh to write a "
                 "new spec over it (its files are copied under .reviewloop/spec-backups/ "
                 "first), or --name NAME for another spec beside it")


def phase_models(settings: Settings) -> dict[str, str | None]:
    """The model string each phase uses (`[models] spec_*`, then `spec`, then `model`)."""
    return {phase: model_for(settings, ph.MODEL_KEYS[phase]) for phase in ph.PHASES}


def models_usable(settings: Settings) -> bool:
    """True when every phase's model is set and its credentials resolve."""
    wanted = set(phase_models(settings).values())
    return all(llm_available(m, settings.region) for m in wanted)


def existing_spec(root: Path, request: NewSpec) -> Path | None:
    """The spec this request would write over, relative to `root`; None when there is none."""
    name = check_name(request.name or slug(request.what))
    if request.format not in document.FORMATS:
        raise UserInputError(f"unknown format {request.format!r}", where="--format",
                             fix=f"choose one of {', '.join(document.FORMATS)}")
    tasks_file = document.target(request.format, name, root)
    check_room(root, tasks_file)
    found = existing.primary(request.format, tasks_file)
    if found.exists():
        return found.relative_to(root)
    _refuse_other_format(root, name, request.format)
    return None


def _refuse_other_format(root: Path, name: str, fmt: str) -> None:
    """Exit 2 when a spec of this name is there in another format: a second one beside it
    would leave two specs, and every command would stop at "2 specs found"."""
    for other in document.FORMATS:
        there = existing.primary(other, document.target(other, name, root))
        if other != fmt and there.exists():
            rel = there.relative_to(root).as_posix()
            raise UserInputError(
                f"{rel} is already the spec named {name!r}, in the {other} format: a {fmt} "
                "spec of that name beside it would be a second spec of one name (and, alone, "
                "make every command stop at \"2 specs found\"); nothing drafted", where="--format",
                fix=f"pass --format {other} (with --revise or --fresh) to work on that spec, "
                    "or --name NAME for another spec")


def check_room(root: Path, tasks_file: Path) -> None:
    """Refuse, before any phase is drafted (and paid for), a spec whose files could not be
    written: a file where one of its folders goes, or a folder where its file goes, or a
    symlink on the way (`repo_writes.check`: writing through it could land anywhere)."""
    repo_writes.check(root, [tasks_file], fix="remove or rename that link (a spec is never "
                      "written through a symlink), or choose another --format or --name")
    for folder in reversed(tasks_file.relative_to(root).parents[:-1]):
        if (root / folder).exists() and not (root / folder).is_dir():
            raise UserInputError(
                f"a file where the spec needs the folder {folder.as_posix()}/; nothing drafted",
                where=str(root / folder),
                fix="move that file away and run the command again, or choose another "
                    "--format or --name")
    if tasks_file.is_dir():
        raise UserInputError("a folder where the spec's file goes; nothing drafted",
                             where=str(tasks_file),
                             fix="move that folder away, or choose another --name")


def first_state(root: Path, request: NewSpec, model_label: str | None) -> dict[str, Any]:
    """The session's initial state: a spec that exists is revised, or replaced, only when
    the request says which."""
    what = " ".join(request.what.split())  # one line: it is data inside the spec's syntax
    if not what:
        raise UserInputError("describe what to build", where="spec new",
                             fix='reviewloop spec new "a todo API with add and delete"')
    found = existing_spec(root, request)
    name = check_name(request.name or slug(what))
    tasks_file = document.target(request.format, name, root)
    if found is not None and request.existing not in EXISTING:
        raise UserInputError(f"{found} already exists: revise it or start fresh",
                             where="spec new", fix=_EXISTING_FIX)
    if found is None and request.existing == "revise":
        raise UserInputError(f"there is no {request.format} spec named {name!r} to revise",
                             where="--revise", fix="check --name and --format, or drop --revise")
    state: dict[str, Any] = {"name": name, "what": what, "format": request.format,
                             "research": request.research,
                             "approve_all": request.approve_all,
                             "interactive": request.interactive, "model": model_label,
                             "created": datetime.now(UTC).date().isoformat(),
                             "tasks_file": tasks_file.relative_to(root).as_posix()}
    if found is not None and request.existing == "revise":
        state.update(_revision(root, request, tasks_file))
    return state


def _revision(root: Path, request: NewSpec, tasks_file: Path) -> dict[str, Any]:
    """The existing spec as the drafts to revise; its research stays unless redone."""
    loaded = existing.load_drafts(root, request.format, tasks_file)
    kept = {ph.RESEARCH: loaded[ph.RESEARCH]} if (
        not request.research and ph.RESEARCH in loaded) else {}
    what = " ".join(request.what.split())
    before = existing.intro(request.format, tasks_file, root)  # the spec keeps its description
    return {"loaded": loaded, "approved": kept,
            "kept": existing.kept(request.format, tasks_file, root).as_state(),
            "intro": f"{before}\n\nRevised: {what}" if before else what}


def deps_for(root: Path, settings: Settings, make_model: MakeModel | None) -> SpecDeps:
    """Per-phase models (None offline), each with its fallback when one is configured, and
    the read-only research tools."""
    models = Models(settings, make_model) if make_model is not None else None
    found: dict[str, docs.Lookup] = {}  # servers are listed once per process, when research runs

    def model_for_phase(phase: str) -> Any:
        chat = models.get(ph.MODEL_KEYS[phase]) if models is not None else None
        return chat.model if chat is not None else None

    def tools() -> list:
        from reviewloop.agent.tools import reviewer_tools
        from reviewloop.agent.workspace import Workspace

        if "docs" not in found:
            found["docs"] = docs.lookup(root)
        return [*reviewer_tools(Workspace(root=root)), *found["docs"].tools]

    # Context stays out of the checkpoints (it is re-read on resume); offline it is unused.
    context = gather(root) if make_model is not None else ""
    return SpecDeps(root=root, model_for=model_for_phase, tools=tools, context=context)
