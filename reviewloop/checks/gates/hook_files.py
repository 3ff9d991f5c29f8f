"""A project's Kiro hooks (`.kiro/hooks/`): the file forms Kiro writes, read into one record
per hook, and which hooks a change's file events trigger.

Two documented forms, each as JSON or as YAML with the same keys (`.kiro.hook`/`.json`,
`.yaml`/`.yml`; any other file in the folder, a README, is not a hook):

* the Kiro IDE hook (`*.kiro.hook`): `enabled`, `name`, `description`, `when.type`,
  `when.patterns` (globs, matched as Kiro's minimatch does: `spec.kiro_globs`),
  `then.type` (`runCommand` with `command`, `askAgent` with `prompt`), `then.timeout` (seconds);
* the versioned file of Kiro IDE 1.0 / CLI 3.0 (`"version": "v1"`, a `hooks` list): each
  hook's `name`, `trigger`, `matcher` (a regular expression over the path), `action.type`
  (`command` with `command`, `agent` with `prompt`), `timeout`, `enabled`.

Other keys are Kiro's own and are ignored. Triggers reviewloop fires: a file saved (IDE
`fileEdited`, v1 `PostFileSave`: every file the change adds or modifies — an agent's new file
is written, i.e. saved, too), created (`fileCreated`, `PostFileCreate`), deleted
(`fileDeleted`, `PostFileDelete`), and the agent's turn ending (`agentStop`, `Stop`: after
each implementer or fixer pass). The rest (manual, prompt submit, tool use, task execution —
reviewloop's own loop is the task's execution) are listed as not run. A trigger or action
name that is none of Kiro's (a typo), or a versioned file of another version than v1, is a
malformed file: such a hook would silently never run.
"""

from __future__ import annotations

import difflib
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewloop.config import load_yaml
from reviewloop.errors import ConfigError
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.git.repository import Repository
from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.spec import kiro_globs

HOOKS_DIR = ".kiro/hooks"
_JSON = (".kiro.hook", ".json")
_YAML = (".yaml", ".yml")
_FIX = ("correct it in your checkout and commit it (hooks are read from the commit a run "
        "starts from), or turn project hooks off with [gates] kiro_hooks = false")


class Event(StrEnum):
    """A point of the loop a hook can run at."""

    SAVED = "file saved"
    CREATED = "file created"
    DELETED = "file deleted"
    STOP = "agent stop"


_TRIGGERS: Mapping[str, Event] = {
    "fileEdited": Event.SAVED, "fileCreated": Event.CREATED, "fileDeleted": Event.DELETED,
    "agentStop": Event.STOP, "PostFileSave": Event.SAVED, "PostFileCreate": Event.CREATED,
    "PostFileDelete": Event.DELETED, "Stop": Event.STOP}
# Kiro's other triggers: known, never fired by reviewloop (listed as not run). Any other
# name (a typo, `fileEditd`) is a malformed file: the hook would silently never run.
_NOT_RUN = frozenset({
    "userTriggered", "promptSubmit", "userPromptSubmit", "preToolUse", "postToolUse",
    "preTaskExecution", "postTaskExecution", "agentSpawn",  # the IDE hook and older names
    "Manual", "UserPromptSubmit", "PreToolUse", "PostToolUse", "PreTaskExec", "PostTaskExec",
    "SessionStart"})  # the v1 file
_ACTIONS = {"runCommand": "command", "command": "command", "askAgent": "agent",
            "agent": "agent"}
_VERSIONS = ("v1",)


@dataclass(frozen=True)
class FileEvents:
    """The paths a change saved (added or modified), created and deleted."""

    saved: frozenset[str] = frozenset()
    created: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()

    @classmethod
    def of(cls, changes: ChangeSet) -> FileEvents:
        saved, created, deleted = set(), set(), set()
        for f in changes.files:
            if f.status is FileStatus.DELETED:
                deleted.add(f.path)
                continue
            saved.add(f.path)
            if f.status in (FileStatus.ADDED, FileStatus.RENAMED):
                created.add(f.path)
            if f.status is FileStatus.RENAMED and f.old_path:
                deleted.add(f.old_path)
        return cls(frozenset(saved), frozenset(created), frozenset(deleted))

    def paths(self, event: Event) -> frozenset[str]:
        return {Event.SAVED: self.saved, Event.CREATED: self.created,
                Event.DELETED: self.deleted}.get(event, frozenset())


@dataclass(frozen=True)
class ProjectHook:
    """One hook as reviewloop runs it."""

    file: str  # the hook file's repository path
    name: str
    trigger: str  # as written: fileEdited, PostFileSave, userTriggered, …
    action: str  # "command", "agent", or the unknown type as written
    command: str | None = None
    prompt: str | None = None
    patterns: tuple[str, ...] = ()  # globs (IDE form)
    matcher: str | None = None  # a regular expression over the path (v1 form)
    timeout: float | None = None
    enabled: bool = True

    @property
    def event(self) -> Event | None:
        """Where the loop runs it; None for a trigger reviewloop never fires."""
        return _TRIGGERS.get(self.trigger)

    def triggered_by(self, events: FileEvents) -> tuple[str, ...]:
        """The changed paths that fire this hook (none for agent stop: it fires on every
        pass, see `fires`)."""
        event = self.event
        if event is None:
            return ()
        return tuple(sorted(p for p in events.paths(event) if self._covers(p)))

    def fires(self, events: FileEvents) -> bool:
        """Whether this enabled hook runs for a change with `events`."""
        if not self.enabled or self.event is None:
            return False
        return self.event is Event.STOP or bool(self.triggered_by(events))

    def _covers(self, path: str) -> bool:
        if self.matcher is not None:
            return re.search(self.matcher, path) is not None
        return not self.patterns or kiro_globs.matches_any(self.patterns, path)


class _Lenient(BaseModel):
    # built when a hook file is first read, not when the gates load (~3 ms of every start)
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class _When(_Lenient):
    type: str
    patterns: list[str] | None = None


class _Then(_Lenient):
    type: str
    command: str | None = None
    prompt: str | None = None
    timeout: float | None = Field(default=None, gt=0)


class _IdeHook(_Lenient):
    enabled: bool = True
    name: str | None = None
    when: _When
    then: _Then


class _V1Action(_Lenient):
    type: str
    command: str | None = None
    prompt: str | None = None


class _V1Hook(_Lenient):
    name: str
    trigger: str
    matcher: str | None = None
    action: _V1Action
    timeout: float | None = Field(default=None, gt=0)
    enabled: bool = True


class _V1File(_Lenient):
    version: str
    hooks: list[_V1Hook]


def load_hooks(repo: Repository, rev: str = "HEAD") -> tuple[ProjectHook, ...]:
    """Every hook in `.kiro/hooks/` of commit `rev` (regular files only: a symlink is never
    followed), in file order; a malformed file is a ConfigError naming it."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-kiro-hooks-") as tmp:
        written = repo.export_files(rev, [HOOKS_DIR], Path(tmp))
        found: list[ProjectHook] = []
        for path in sorted(written):
            if path.endswith(_JSON + _YAML):
                found.extend(parse_hook_file(path, (Path(tmp) / path).read_bytes()))
    return tuple(found)


def parse_hook_file(path: str, data: bytes) -> list[ProjectHook]:
    """The hooks one file defines; `path` names it in errors."""
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"hook file is over {MAX_FILE_BYTES} bytes", where=path, fix=_FIX)
    document = _document(path, data)
    if not isinstance(document, dict):
        raise ConfigError("a hook file holds one object (a Kiro hook, or a v1 file with "
                          "`hooks`)", where=path, fix=_FIX)
    try:
        if "hooks" in document:
            versioned = _V1File.model_validate(document)
            if versioned.version not in _VERSIONS:
                raise ConfigError(f'key "version": {versioned.version!r} is not a hook file '
                                  f"version reviewloop reads ({', '.join(_VERSIONS)})",
                                  where=path, fix=f'write "version": "v1"; {_FIX}')
            return [_from_v1(path, h) for h in versioned.hooks]
        return [_from_ide(path, _IdeHook.model_validate(document),
                          data.decode("utf-8", errors="replace"))]
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f'key "{key}": {err["msg"]}', where=path, fix=_FIX) from None


def _document(path: str, data: bytes) -> Any:
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        text = data.decode("utf-8-sig")  # a BOM, as Windows editors save: read, as in steering
        return json.loads(text) if path.endswith(_JSON) else load_yaml(text)
    except (UnicodeDecodeError, json.JSONDecodeError, YAMLError) as exc:
        kind = "JSON" if path.endswith(_JSON) else "YAML"
        first = (str(exc).strip().splitlines() or [""])[0]
        raise ConfigError(f"not valid {kind} ({first})", where=path, fix=_FIX) from None


def _from_ide(path: str, hook: _IdeHook, text: str) -> ProjectHook:
    name = hook.name or Path(path).name.removesuffix(".kiro.hook")
    _known(path, name, "when.type", hook.when.type, (*_TRIGGERS, *_NOT_RUN))
    _known(path, name, "then.type", hook.then.type, _ACTIONS)
    found = ProjectHook(file=path, name=name, trigger=hook.when.type,
                        action=_ACTIONS.get(hook.then.type, hook.then.type),
                        command=hook.then.command, prompt=hook.then.prompt,
                        patterns=tuple(hook.when.patterns or ()), timeout=hook.then.timeout,
                        enabled=hook.enabled)
    if found.event in (Event.SAVED, Event.CREATED, Event.DELETED) and not found.patterns:
        raise ConfigError(f'hook "{name}": a {hook.when.type} hook needs `when.patterns`',
                          where=path, fix='list the files it watches, e.g. "patterns": '
                                          '["**/*.py"]')
    for pattern in found.patterns:
        refused = kiro_globs.problem(pattern)
        if refused is not None:
            raise ConfigError(f'hook "{name}": pattern {pattern!r}: {refused.reason}, so Kiro '
                              "would never fire it", where=_line_of(path, text, pattern),
                              fix=f"{refused.fix}; {_FIX}")
    return _checked(found, "then")


def _line_of(path: str, text: str, pattern: str) -> str:
    """`path:line` of the line holding `pattern` (as JSON or YAML writes it), else `path`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if json.dumps(pattern) in line or (pattern and pattern in line):
            return f"{path}:{number}"
    return path


def _known(path: str, name: str, key: str, value: str, known: Iterable[str]) -> None:
    """ConfigError naming the key when `value` is none of Kiro's names for it."""
    if value in known:
        return
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ConfigError(f'hook "{name}": `{key}` {value!r} is not one of Kiro\'s, so the hook '
                      "would never run", where=path,
                      fix=f"{hint}use one of {', '.join(sorted(known))}; {_FIX}")


def _from_v1(path: str, hook: _V1Hook) -> ProjectHook:
    _known(path, hook.name, "trigger", hook.trigger, (*_TRIGGERS, *_NOT_RUN))
    _known(path, hook.name, "action.type", hook.action.type, _ACTIONS)
    if hook.matcher is not None:
        try:
            re.compile(hook.matcher)
        except re.error as exc:
            raise ConfigError(f'hook "{hook.name}": matcher {hook.matcher!r} is not a regular '
                              f"expression ({exc})", where=path, fix=_FIX) from None
    return _checked(ProjectHook(
        file=path, name=hook.name, trigger=hook.trigger,
        action=_ACTIONS.get(hook.action.type, hook.action.type), command=hook.action.command,
        prompt=hook.action.prompt, matcher=hook.matcher, timeout=hook.timeout,
        enabled=hook.enabled), "action")


def _checked(hook: ProjectHook, key: str) -> ProjectHook:
    """A command action needs its command, an agent action its prompt."""
    needed = {"command": "command", "agent": "prompt"}.get(hook.action)
    if needed and not (getattr(hook, needed) or "").strip():
        raise ConfigError(f'hook "{hook.name}": `{key}.{needed}` is missing or empty',
                          where=hook.file, fix=f"give the {hook.action} action its {needed}")
    return hook


def described(hooks: Iterable[ProjectHook]) -> str:
    """`lint (.kiro/hooks/lint.kiro.hook)`, comma-separated."""
    return ", ".join(f"{h.name} ({h.file})" for h in hooks)
