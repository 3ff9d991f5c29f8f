"""Agent definitions: the reviewer file format (a strict subset of Kiro's), loading, overrides.

Where reviewers come from, later sources overriding earlier ones by name:

1. the five built-ins shipped in the wheel (`reviewloop.builtin_agents`, the repo's `agents/`);
2. `.kiro/agents/*.json`: a file named like a built-in overrides it; any other file becomes a
   reviewer only when its name starts with `review-` or `reviewers` lists it, so a repo's
   general-purpose Kiro agents never review by accident;
3. every `*.json` file of each configured agents directory.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewloop.errors import AgentDefinitionError
from reviewloop.findings.schema import Severity
from reviewloop.policy import globs
from reviewloop.review.kiro_tools import READ_ONLY_TOOLS, map_tools
from reviewloop.review.prompt_files import resolve_prompt, user_config_dir

BUILTIN_NAMES = (
    "review-security",
    "review-infrastructure",
    "review-maintainability",
    "review-performance",
    "review-test-quality",
)
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
    source: Path = Path()
    origin: Origin = "config dir"
    notes: tuple[str, ...] = ()  # what the file asked for and does not get

    def applies_to(self, path: str | PurePath) -> bool:
        """True when a repo-relative path is in this reviewer's scope."""
        return _in_scope(self.include, self.exclude, path)


# A round asks every reviewer's scope about every changed file many times over (chunks,
# analyzers, evidence, each reviewer's input): ~10 globs each time, answered once here.
@functools.lru_cache(maxsize=65_536)
def _in_scope(include: tuple[str, ...], exclude: tuple[str, ...], path: str | PurePath) -> bool:
    if include and not any(globs.matches(p, path) for p in include):
        return False
    return not any(globs.matches(p, path) for p in exclude)


@dataclass(frozen=True)
class Skipped:
    """A `.kiro/agents` file that is not used as a reviewer, and why."""

    source: Path
    name: str
    reason: str


@dataclass(frozen=True)
class AgentSet:
    """The effective reviewers (built-in order, then others by name) and what was left out."""

    agents: tuple[AgentDefinition, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    left_out: str | None = None  # reviewers over `[review] max_reviewers` (`review.reviewers`)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.agents)


def load_file(path: Path, *, origin: Origin = "config dir",
              root: Path | None = None) -> AgentDefinition:
    """Read, validate and resolve one agent file; any problem is an AgentDefinitionError.

    A `file://` prompt must resolve, symlinks followed, inside `root` (the repository;
    default: the folder holding `.kiro/agents`, else the file's own folder), the user's
    config folder, or the built-in agents' folder."""
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AgentDefinitionError(
            f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}",
            fix=f"correct the JSON syntax at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(data, dict):
        raise AgentDefinitionError(
            f"expected a JSON object at the top level, got {_json_type(data)}", where=str(path),
            fix='write the agent as {"name": ..., "description": ..., "prompt": ...}')
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
    if isinstance(folder, Path) and (folder / f"{BUILTIN_NAMES[0]}.json").is_file():
        return folder
    return Path(__file__).resolve().parents[1] / "agents"


def builtin_agents() -> tuple[AgentDefinition, ...]:
    folder = builtin_dir()
    return tuple(load_file(folder / f"{name}.json", origin="built-in") for name in BUILTIN_NAMES)


def load_agents(root: Path, agent_dirs: Sequence[Path] = (),
                reviewers: Sequence[str] = ()) -> AgentSet:
    """The effective reviewer set for a project rooted at `root`."""
    chosen: dict[str, AgentDefinition] = {a.name: a for a in builtin_agents()}
    notes: list[str] = []
    kiro_agents, skipped = _kiro_reviewers(root, reviewers)
    _add_layer(chosen, kiro_agents, root, notes)
    for folder in agent_dirs:
        folder = folder if folder.is_absolute() else root / folder
        if not folder.is_dir():
            raise AgentDefinitionError(
                "agents directory not found", where=str(folder),
                fix='create it or remove it from "agents_dirs"')
        _add_layer(chosen, [load_file(p, origin="config dir", root=root)
                            for p in _json_files(folder)], root, notes)
    unknown = [name for name in reviewers if name not in chosen]
    if unknown:
        raise AgentDefinitionError(
            f'"reviewers" lists an agent that is not defined: {", ".join(unknown)}',
            where="reviewers setting",
            fix=f"use one of: {', '.join(_ordered(chosen))}, or add its file to "
                ".kiro/agents/ or an agents directory")
    agents: list[AgentDefinition] = []
    for name in _ordered(chosen):
        agent = chosen[name]
        if not agent.enabled:
            skipped.append(Skipped(agent.source, name, 'disabled ("reviewloop.enabled" is false)'))
            continue
        agents.append(agent)
        notes.extend(f"{name} ({shown(agent.source, root)}): {note}" for note in agent.notes)
    return AgentSet(tuple(agents), tuple(skipped), tuple(notes))


def _kiro_reviewers(root: Path, reviewers: Sequence[str]) -> tuple[list[AgentDefinition],
                                                                     list[Skipped]]:
    """Load the `.kiro/agents` files that are reviewers; the others are not even validated."""
    used: list[AgentDefinition] = []
    skipped: list[Skipped] = []
    for path in _json_files(root / KIRO_AGENTS_DIR):
        name = _peek_name(path)
        if name in BUILTIN_NAMES or name.startswith(REVIEWER_PREFIX) or name in reviewers:
            used.append(load_file(path, origin="kiro", root=root))
        else:
            skipped.append(Skipped(path, name, f'not a reviewer: the name does not start with '
                                   f'"{REVIEWER_PREFIX}" and "reviewers" does not list it'))
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
        chosen[agent.name] = agent


def _ordered(chosen: dict[str, AgentDefinition]) -> list[str]:
    return [n for n in BUILTIN_NAMES if n in chosen] + sorted(set(chosen) - set(BUILTIN_NAMES))


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []


def _peek_name(path: Path) -> str:
    """The agent's name if the file can be read, else the file name (Kiro's own fallback)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return path.stem
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else path.stem


def _build(data: dict[str, Any], path: Path, text: str, origin: Origin,
           allowed: Sequence[Path]) -> AgentDefinition:
    ignored = [key for key in data if key in IGNORED_KIRO_KEYS]
    fields = {k: v for k, v in data.items() if k not in IGNORED_KIRO_KEYS}
    fields.setdefault("name", path.stem)  # Kiro names an unnamed agent after its file
    try:
        spec = AgentFile.model_validate(fields)
    except ValidationError as exc:
        raise _schema_error(exc, path, text) from None
    if not spec.name.strip():
        raise AgentDefinitionError('key "name": must not be empty',
                                   where=_where(path, text, ("name",)),
                                   fix='give the agent a name, e.g. "review-security"')
    own = spec.reviewloop
    for key in ("analyzers", "include", "exclude"):
        _check_entries(getattr(own, key), ("reviewloop", key), path, text)
    grant = map_tools(spec.tools)
    for index, name, hint in grant.unknown:
        raise AgentDefinitionError(f'key "tools[{index}]": unknown tool "{name}"',
                                   where=_where(path, text, ("tools",)), fix=hint)
    return AgentDefinition(
        name=spec.name.strip(), description=spec.description or "",
        prompt=resolve_prompt(spec.prompt, path, _where(path, text, ("prompt",)), allowed),
        tools=grant.tools, model=spec.model,
        analyzers=tuple(own.analyzers), include=tuple(own.include), exclude=tuple(own.exclude),
        severity_floor=Severity(own.severity_floor) if own.severity_floor else None,
        enabled=own.enabled, source=path, origin=origin,
        notes=(*(f'ignored Kiro key "{key}": reviewloop does not use it' for key in ignored),
               *grant.notes))


def _check_entries(values: list[str], keypath: tuple[str, ...], path: Path, text: str) -> None:
    for index, value in enumerate(values):
        if not value.strip():
            raise AgentDefinitionError(f'key "{".".join(keypath)}[{index}]": must not be empty',
                                       where=_where(path, text, keypath),
                                       fix="remove the empty entry")
    if keypath[-1] in ("include", "exclude"):
        for value in values:
            try:
                globs.check(value)
            except globs.BadGlob as exc:
                raise AgentDefinitionError(
                    f'key "{".".join(keypath)}": invalid glob "{value}" ({exc})',
                    where=_where(path, text, keypath),
                    fix='use *, ** and ? wildcards, e.g. "src/**/*.py"') from None


_TYPE_WORDS = {
    "string_type": "must be a string",
    "list_type": "must be a list of strings",
    "bool_type": "must be true or false",
    "literal_error": "must be one of must_fix, should_fix, nit",
    "model_type": "must be a JSON object",
}
_EXAMPLES = {
    "tools": '["fs_read", "code", "grep", "glob"]', "analyzers": '["bandit"]',
    "include": '["src/**/*.py"]', "exclude": '["tests/**"]', "enabled": "true or false",
    "severity_floor": '"should_fix"', "reviewloop": '{"analyzers": [...]}',
}


def _schema_error(exc: ValidationError, path: Path, text: str) -> AgentDefinitionError:
    # An unknown key first: a misspelt key usually also makes a required one "missing".
    error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = tuple(error["loc"])
    keys = tuple(part for part in loc if isinstance(part, str))
    dotted = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in loc).lstrip(".")
    where = _where(path, text, keys)
    if error["type"] == "extra_forbidden":
        nested = len(keys) > 1
        known = list((ReviewloopKeys if nested else AgentFile).model_fields)
        close = difflib.get_close_matches(keys[-1], known, n=1)
        prefix = "reviewloop." if nested else ""
        fix = f'did you mean "{prefix}{close[0]}"?' if close else \
            f"known keys here: {', '.join(prefix + k for k in known)}" + \
            ("" if nested else "; reviewloop's own settings go under \"reviewloop\"")
        return AgentDefinitionError(f'unknown key "{dotted}"', where=where, fix=fix)
    if error["type"] == "missing":
        return AgentDefinitionError(f'missing required key "{dotted}"', where=str(path),
                                    fix=f'add "{dotted}" to the agent file')
    words = _TYPE_WORDS.get(error["type"], error["msg"])
    got = json.dumps(error.get("input"), ensure_ascii=False)
    example = _EXAMPLES.get(str(loc[-1]), "a string in double quotes")  # an int: a list item
    return AgentDefinitionError(f'key "{dotted}": {words} (got {got})', where=where,
                                fix=f'write "{dotted}" as {example}')


def _where(path: Path, text: str, keys: Sequence[str]) -> str:
    """`file:line` of the innermost key found by walking the key path through the text."""
    position, found = 0, False
    for key in keys:
        match = re.compile(rf'"{re.escape(json.dumps(key)[1:-1])}"\s*:').search(text, position)
        if match is None:
            break
        position, found = match.start(), True
    return f"{path}:{text.count(chr(10), 0, position) + 1}" if found else str(path)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # editors on Windows add a BOM
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise AgentDefinitionError("agent file not found", where=str(path),
                                   fix="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentDefinitionError(f"cannot read the agent file ({exc})", where=str(path),
                                   fix="make it a readable UTF-8 JSON file") from None


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")

