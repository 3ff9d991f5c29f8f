"""Agent definitions: the reviewer file format (a strict subset of Kiro's), loading, overrides.

Where reviewers come from, later sources overriding earlier ones by name:

1. the built-ins shipped in the wheel (`reviewloop.builtin_agents`, the repo's `agents/`):
   every `*.json` file there is one, so a new built-in reviewer is one file;
2. `.kiro/agents/*.json`: a file named like a built-in overrides it; any other file becomes a
   reviewer only when its name starts with `review-` or `reviewers` lists it, so a repo's
   general-purpose Kiro agents never review by accident;
3. every `*.json` file of each configured agents directory.

The reviewers run and are listed in the order their files declare (`reviewloop.order`, lowest
first), then those without one by name. An override keeps every `reviewloop` setting it does
not set (the place among them too) from the definition it replaces; the analyzers it turns
off are said (`turned_off`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewloop.errors import AgentDefinitionError
from reviewloop.findings.schema import Severity
from reviewloop.review.agent_errors import schema_error, where
from reviewloop.review.agent_files import entries, parse, peek_name
from reviewloop.review.agent_scope import REMEMBERED, cached_scope, scope_globs
from reviewloop.review.kiro_tools import READ_ONLY_TOOLS, map_tools
from reviewloop.review.prompt_files import confine_agents_dir, resolve_prompt, user_config_dir

log = logging.getLogger(__name__)

REVIEWER_PREFIX = "review-"
KIRO_AGENTS_DIR = Path(".kiro") / "agents"
Origin = Literal["built-in", "kiro", "config dir"]

# Kiro agent keys (CLI 2.x and V3) that are accepted and ignored with a note.
IGNORED_KIRO_KEYS = frozenset({
    "$schema", "mcpServers", "toolAliases", "allowedTools", "toolsSettings", "resources",
    "hooks", "useLegacyMcpJson", "includeMcpJson", "includePowers", "keyboardShortcut",
    "welcomeMessage", "permissions", "excludedTools",
})


class ReviewloopKeys(BaseModel):
    """reviewloop's own settings, all under the one key `reviewloop`."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    analyzers: list[str] = []
    include: list[str] = []
    exclude: list[str] = []
    severity_floor: Literal["must_fix", "should_fix", "nit"] | None = None
    enabled: bool = True
    order: int | None = None  # the reviewer's place among the others (lowest first)


class AgentFile(BaseModel):
    """The keys of an agent file that reviewloop reads; anything else is an error."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str
    description: str | None = None
    prompt: str
    tools: list[str] | None = None
    model: str | None = None
    reviewloop: ReviewloopKeys = ReviewloopKeys()


@dataclass(frozen=True)
class AgentDefinition:
    """One loaded reviewer, prompt resolved and tools reduced to the read-only set."""

    name: str
    prompt: str
    description: str = ""
    tools: tuple[str, ...] = READ_ONLY_TOOLS
    model: str | None = None
    analyzers: tuple[str, ...] = ()
    include: tuple[str, ...] = ()  # empty: every file
    exclude: tuple[str, ...] = ()
    severity_floor: Severity | None = None
    enabled: bool = True
    order: int | None = None
    source: Path = Path()
    origin: Origin = "config dir"
    notes: tuple[str, ...] = ()  # what the file asked for and does not get
    set_keys: frozenset[str] = frozenset()  # the `reviewloop` keys its file sets
    # analyzers of the definition it overrides that it does not run, with why (said in
    # `reviewloop agents` and as a skipped row of every review's analyzers)
    turned_off: tuple[tuple[str, str], ...] = ()
    # the scope (include, exclude) of the definition it overrides when it narrows it: what
    # its analyzers read there and no longer here is not analysed (`review.evidence`)
    narrowed_from: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    # why a reviewer that ran before its override (`"enabled": false`) no longer does: the
    # review says it as a skipped reviewer, its analyzers as skipped rows (`turned_off`)
    turned_off_by: str | None = None

    @property
    def has_analyzer_rows(self) -> bool:
        """Whether a review has analyzer rows for it: those it runs or those it turned off."""
        return bool(self.analyzers or self.turned_off)

    def applies_to(self, path: str | PurePath) -> bool:
        """True when a repo-relative path is in this reviewer's scope."""
        if not self.include and not self.exclude:
            return True  # every file (most reviewers)
        answers = self._scope_answers
        found = answers.get(path)
        if found is None:
            if len(answers) >= REMEMBERED:
                answers.clear()
            found = answers[path] = self._scope[0](path)
        return found

    def in_scope(self, paths: Iterable[str]) -> tuple[str, ...]:
        """The paths of `paths` in this reviewer's scope, in their order (`applies_to` of
        each): a reviewer without a scope takes them all, unasked (5 reviewers × 5,000
        files were 25,000 calls)."""
        if not self.include and not self.exclude:
            return tuple(paths)
        return tuple(filter(self.applies_to, paths))

    @functools.cached_property
    def _scope_answers(self) -> dict[str | PurePath, bool]:
        """The answers by path of every reviewer with this scope: a round asks each
        changed file's again and again (every analyzer's scope, every chunk, every input)."""
        return self._scope[1]

    @functools.cached_property
    def _scope(self) -> tuple[Callable[[str | PurePath], bool], dict[str | PurePath, bool]]:
        """The scope as a function of the path, and its answers so far: looked up once for
        the reviewer (a cache keyed by its ~30 globs hashed them at each of 5,000 files)."""
        return cached_scope(self.include, self.exclude)


@dataclass(frozen=True)
class Skipped:
    """A `.kiro/agents` file that is not used as a reviewer, and why."""

    source: Path
    name: str
    reason: str
    unreadable: bool = False  # not read as an agent at all: `agents validate` fails on it


@dataclass(frozen=True)
class AgentSet:
    """The effective reviewers (by their declared order, then by name) and what was left
    out."""

    agents: tuple[AgentDefinition, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    left_out: str | None = None  # reviewers over `[review] max_reviewers` (`review.reviewers`)
    turned_off: tuple[AgentDefinition, ...] = ()  # enabled ones an override disables

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.agents)


def load_file(path: Path, *, origin: Origin = "config dir",
              root: Path | None = None) -> AgentDefinition:
    """Read, validate and resolve one agent file; any problem is an AgentDefinitionError.

    A `file://` prompt must resolve, symlinks followed, inside `root` (the repository;
    default: the folder holding `.kiro/agents`, else the file's own folder), the user's
    config folder, or the built-in agents' folder."""
    data, text = parse(path)
    if root is None:
        kiro = path.parent.as_posix().endswith(KIRO_AGENTS_DIR.as_posix())
        root = path.parent.parent.parent if kiro else path.parent
    allowed = (builtin_dir(),) if origin == "built-in" else (root, user_config_dir())
    return _build(data, path, text, origin, allowed)


def validate_file(path: Path, root: Path | None = None) -> AgentDefinition:
    """Load one file the way `reviewloop agents validate PATH` does."""
    origin: Origin = "kiro" if path.parent.as_posix().endswith(".kiro/agents") else "config dir"
    return load_file(path, origin=origin, root=root)


def builtin_dir() -> Path:
    """The folder holding the built-in definitions: the installed package, else the repo's."""
    try:
        from importlib.resources import files

        folder = files("reviewloop.builtin_agents")
    except ModuleNotFoundError:
        folder = None
    if isinstance(folder, Path) and entries(folder):
        return folder
    return Path(__file__).resolve().parents[1] / "agents"


def builtin_agents() -> tuple[AgentDefinition, ...]:
    """The registry of built-in reviewers: every JSON file of `builtin_dir()`, in order."""
    folder = builtin_dir()
    found: dict[str, AgentDefinition] = {}
    _add_layer(found, [load_file(p, origin="built-in") for p in entries(folder)], folder, [])
    return tuple(found[name] for name in _ordered(found))


def builtin_names() -> tuple[str, ...]:
    """The built-in reviewers' names, in their order: count and list them from here."""
    return tuple(agent.name for agent in builtin_agents())


def load_agents(root: Path, agent_dirs: Sequence[Path] = (),
                reviewers: Sequence[str] = ()) -> AgentSet:
    """The effective reviewer set for a project rooted at `root`."""
    chosen: dict[str, AgentDefinition] = {a.name: a for a in builtin_agents()}
    notes: list[str] = []
    kiro_agents, skipped = _kiro_reviewers(root, reviewers, frozenset(chosen))
    _add_layer(chosen, kiro_agents, root, notes)
    for folder in agent_dirs:
        folder = folder if folder.is_absolute() else root / folder
        if not folder.is_dir():
            raise AgentDefinitionError(
                "agents directory not found", where=str(folder),
                fix='create it or remove it from "agents_dirs"')
        confine_agents_dir(folder, root)
        _add_layer(chosen, [load_file(confine_agents_dir(p, root), origin="config dir", root=root)
                            for p in entries(folder)], root, notes)
    unknown = [name for name in reviewers if name not in chosen]
    if unknown:
        raise AgentDefinitionError(
            f'"reviewers" lists an agent that is not defined: {", ".join(unknown)}',
            where="reviewers setting",
            fix=f"use one of: {', '.join(_ordered(chosen))}, or add its file to "
                ".kiro/agents/ or an agents directory")
    agents: list[AgentDefinition] = []
    off: list[AgentDefinition] = []
    for name in _ordered(chosen):
        agent = chosen[name]
        if not agent.enabled:
            skipped.append(Skipped(agent.source, name, 'disabled ("reviewloop.enabled" is false)'))
            off.extend([agent] if agent.turned_off_by else [])
            continue
        agents.append(agent)
        notes.extend(f"{name} ({shown(agent.source, root)}): {note}" for note in agent.notes)
    return AgentSet(tuple(agents), tuple(skipped), tuple(notes), turned_off=tuple(off))


def _kiro_reviewers(root: Path, reviewers: Sequence[str], builtins: frozenset[str]
                    ) -> tuple[list[AgentDefinition], list[Skipped]]:
    """Load the `.kiro/agents` files that are reviewers; the others are not even validated.
    A file that cannot be read as an agent at all may be a reviewer: when its file name
    does not make it one (an error then), it is skipped with why and a warning names it."""
    used: list[AgentDefinition] = []
    skipped: list[Skipped] = []
    for path in entries(root / KIRO_AGENTS_DIR):
        name, problem = peek_name(confine_agents_dir(path, root, where=str(KIRO_AGENTS_DIR)))
        if name in builtins or name.startswith(REVIEWER_PREFIX) or name in reviewers:
            used.append(load_file(path, origin="kiro", root=root))
        elif problem is not None:
            reason = f"not read, so a reviewer it defines does not run: {problem}"
            log.warning("skipped %s: %s", path, reason)
            skipped.append(Skipped(path, name, reason, unreadable=True))
        else:
            reason = (f'not a reviewer: the name does not start with "{REVIEWER_PREFIX}" and '
                      '"reviewers" does not list it')
            if path.stem.startswith(REVIEWER_PREFIX):  # its file name says it reviews: said
                reason += f' (its file name does, so it may be meant to: name it "{path.stem}")'
                log.warning("skipped %s (agent %r): %s", path, name, reason)
            skipped.append(Skipped(path, name, reason))
    return used, skipped


def shown(path: Path, root: Path) -> str:
    """A path relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _add_layer(chosen: dict[str, AgentDefinition], layer: list[AgentDefinition], root: Path,
               notes: list[str]) -> None:
    seen: dict[str, Path] = {}
    for agent in layer:
        if agent.name in seen:
            raise AgentDefinitionError(
                f'agent "{agent.name}" is also defined in {seen[agent.name]}',
                where=str(agent.source), fix="rename one of the two agents or delete one file")
        seen[agent.name] = agent.source
        old = chosen.get(agent.name)
        if old is not None:
            notes.append(f"{agent.name}: {shown(agent.source, root)} overrides the "
                         f"{old.origin} definition ({shown(old.source, root)})")
            agent = _inherit(agent, old, root)
        chosen[agent.name] = agent


def _inherit(agent: AgentDefinition, old: AgentDefinition, root: Path) -> AgentDefinition:
    """An override keeps each `reviewloop` setting of the definition it replaces that its
    file does not set: a Kiro agent file has no `reviewloop` block, and one that only
    rewords a built-in's prompt must not silently lose its analyzers or its place. The
    analyzers an override does turn off are said (`turned_off`, a note). Measured against
    the first definition: what an earlier override narrowed or turned off stays said when
    another file overrides that one in turn."""
    kept = {key: getattr(old, key) for key in _INHERITED if key not in agent.set_keys}
    agent = replace(agent, **kept)
    scope = old.narrowed_from or (old.include, old.exclude)
    if (agent.include, agent.exclude) != scope:
        agent = replace(agent, narrowed_from=scope, notes=(
            *agent.notes, f"sets its own include/exclude: a changed file the {old.origin} "
            "scope's analyzers read and this one leaves out is reported not analysed"))
    earlier = dict(old.turned_off)  # by an earlier override, with its why
    if (old.enabled or old.turned_off_by) and not agent.enabled:
        why = old.turned_off_by if old.turned_off_by and "enabled" not in agent.set_keys \
            else (f"turned off by {shown(agent.source, root)} (\"reviewloop.enabled\": "
                  f"false), which overrides the {old.origin} {agent.name}")
        return replace(agent, turned_off_by=why, turned_off=tuple(  # all it would run
            (name, why) for name in dict.fromkeys((*agent.analyzers, *old.analyzers, *earlier))))
    why = (f"turned off by {shown(agent.source, root)}, which overrides the {old.origin} "
           f"{agent.name} without it")
    new = [name for name in old.analyzers if name not in agent.analyzers]
    off = {**{n: why if w == old.turned_off_by else w for n, w in earlier.items()
              if n not in agent.analyzers}, **dict.fromkeys(new, why)}
    if not off:
        return agent
    notes = (f'turns off the {old.origin} analyzer(s) {", ".join(new)}: add them to '
             '"reviewloop.analyzers" to keep them',) if new else ()
    return replace(agent, turned_off=tuple(off.items()), notes=(*agent.notes, *notes))


# the `reviewloop` keys an override takes from the definition it replaces when unset
_INHERITED = ("analyzers", "include", "exclude", "severity_floor", "enabled", "order")


def _ordered(chosen: dict[str, AgentDefinition]) -> list[str]:
    """Names by declared order (lowest first), then the unordered by name."""
    def key(name: str) -> tuple[bool, int, str]:
        order = chosen[name].order
        return order is None, order or 0, name
    return sorted(chosen, key=key)


def _build(data: dict[str, Any], path: Path, text: str, origin: Origin,
           allowed: Sequence[Path]) -> AgentDefinition:
    ignored = [key for key in data if key in IGNORED_KIRO_KEYS]
    fields = {k: v for k, v in data.items() if k not in IGNORED_KIRO_KEYS}
    fields.setdefault("name", path.stem)  # Kiro names an unnamed agent after its file
    try:
        spec = AgentFile.model_validate(fields)
    except ValidationError as exc:
        raise schema_error(exc, path, text, list(AgentFile.model_fields),
                           list(ReviewloopKeys.model_fields)) from None
    if not spec.name.strip():
        raise AgentDefinitionError('key "name": must not be empty',
                                   where=where(path, text, ("name",)),
                                   fix='give the agent a name, e.g. "review-security"')
    own = spec.reviewloop
    for key in ("analyzers", "include", "exclude"):
        _check_entries(getattr(own, key), ("reviewloop", key), path, text)
    include, exclude = (scope_globs(getattr(own, key), ("reviewloop", key), path, text)
                        for key in ("include", "exclude"))
    grant = map_tools(spec.tools)
    for index, name, hint in grant.unknown:
        raise AgentDefinitionError(f'key "tools[{index}]": unknown tool "{name}"',
                                   where=where(path, text, ("tools",)), fix=hint)
    return AgentDefinition(
        name=spec.name.strip(), description=spec.description or "",
        prompt=resolve_prompt(spec.prompt, path, where(path, text, ("prompt",)), allowed),
        tools=grant.tools, model=spec.model,
        analyzers=tuple(own.analyzers), include=include, exclude=exclude,
        severity_floor=Severity(own.severity_floor) if own.severity_floor else None,
        enabled=own.enabled, order=own.order, source=path, origin=origin,
        set_keys=frozenset(own.model_fields_set),
        notes=(*(f'ignored Kiro key "{key}": reviewloop does not use it' for key in ignored),
               *grant.notes))


def _check_entries(values: list[str], keypath: tuple[str, ...], path: Path, text: str) -> None:
    for index, value in enumerate(values):
        if not value.strip():
            raise AgentDefinitionError(f'key "{".".join(keypath)}[{index}]": must not be empty',
                                       where=where(path, text, keypath),
                                       fix="remove the empty entry")

