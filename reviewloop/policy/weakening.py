"""What a change to reviewloop's settings weakens: the host's protection (refused in a run,
whoever approves it) or only the review (named in the approval question).

A run's change may touch the settings the next run starts with: `.reviewloop.toml`,
`[tool.reviewloop]` of `pyproject.toml` (both are checked, whichever the loader reads), and
the security lists of `.kiro/config.yaml`. Each file is read as the settings loader reads it
(the same pydantic model, so `sandbox_network = "true"` counts as true) before and after the
change; a file the loader would refuse weakens nothing, it fails the next run instead.

Refused — the sandbox and the command policy keep model-chosen commands off the host, so a
model may never loosen them for a later run; the human makes such a change in their own
checkout:

    sandbox = "off"                 commands run unsandboxed
    sandbox_network = true          sandboxed commands reach the network
    sandbox_env gains a name        a host variable (a token) reaches the commands
    sandbox_read gains a path       a hidden host path (~/.aws) is shown to the commands
    commands.allow widens           a new allowed prefix, or [] ("anything not denied")
    commands.deny narrows           a denied pattern dropped
    sensitive narrows               a secret-file glob dropped: models may read that file
    checkpoint_url set or changed   run state (prompts, diffs) goes to another server
    Kiro security: trustedCommands grows; deniedCommands or sensitiveFiles narrow

Named for the approval, not refused — they lower the review rather than the host's
protection, and a human reading the question can judge them: a gate turned off
(`gates.build`/`gates.test = []`), coverage no longer strict, protected branches or approval
paths dropped, governance limits raised, reviewers narrowed, other reviewer folders.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from reviewloop.config import CONFIG_FILE, Settings
from reviewloop.errors import ConfigError
from reviewloop.policy.commands import DEFAULT_ALLOW, DEFAULT_DENY
from reviewloop.policy.governance import DEFAULT_APPROVAL_PATHS, KIRO_CONFIG, kiro_values
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Weakening:
    """One key of one settings file that a change loosened."""

    path: str  # the file, e.g. ".reviewloop.toml"
    key: str  # the key path as written in that file, e.g. "sandbox", "commands.allow"
    change: str  # what happened to it, e.g. 'set to "off"'
    effect: str  # what that does, e.g. "commands would run unsandboxed"
    refused: bool  # True: the host's protection (never approved in a run)

    def describe(self) -> str:
        return f"{self.path}: {self.key} {self.change} ({self.effect})"


SETTINGS_FILES = (CONFIG_FILE, PYPROJECT, KIRO_CONFIG)


def weakenings(path: str, before: str | None, after: str | None, *,
               link: bool = False) -> list[Weakening]:
    """What the change of `path` from `before` to `after` (None: absent) loosens; [] for a
    file that is not a settings file. `link`: the change made it a symlink, which the loader
    would follow to content no check here reads — refused as such."""
    if link and path in SETTINGS_FILES:
        return [Weakening(path, "(the file)", "made a symlink",
                          "the settings would be read from wherever it points", True)]
    if path == KIRO_CONFIG:
        return _compare(path, "security.", _kiro(before), _kiro(after), _KIRO_RULES)
    if path not in (CONFIG_FILE, PYPROJECT):
        return []
    new = _settings(after, path == PYPROJECT)
    if new is None:
        return []  # the loader refuses it: the next run fails instead of running weaker
    old = _settings(before, path == PYPROJECT) or Settings()
    prefix = "tool.reviewloop." if path == PYPROJECT else ""
    return _compare(path, prefix, _values(old), _values(new), _RULES)


# ---------------------------------------------------------------- reading


def _settings(text: str | None, pyproject: bool) -> Settings | None:
    """The settings a file sets on their own (defaults elsewhere); None when invalid."""
    if text is None:
        return Settings()
    try:
        data: Any = tomllib.loads(text)
        if pyproject:
            data = data.get("tool", {}).get("reviewloop", {})
        return Settings.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError, AttributeError, TypeError):
        return None


def _values(settings: Settings) -> dict[str, Any]:
    """The settings by the key path a rule names, lists as tuples of text."""
    gates, gov = settings.gates, settings.governance
    return {
        "sandbox": settings.sandbox, "sandbox_network": settings.sandbox_network,
        "sandbox_env": settings.sandbox_env,
        "sandbox_read": tuple(str(p) for p in settings.sandbox_read),
        "commands.allow": _or(settings.commands.allow, DEFAULT_ALLOW),
        "commands.deny": _or(settings.commands.deny, DEFAULT_DENY),
        "sensitive": _or(settings.sensitive, DEFAULT_SENSITIVE),
        "checkpoint_url": settings.checkpoint_url,
        "gates.build": gates.build, "gates.test": gates.test, "gates.coverage": gates.coverage,
        "gates.protected_branches": gates.protected_branches,
        "governance.max_files": gov.max_files, "governance.max_lines": gov.max_lines,
        "governance.approval_paths": _or(gov.approval_paths, DEFAULT_APPROVAL_PATHS),
        "reviewers": settings.reviewers,
        "agents_dirs": tuple(str(p) for p in settings.agents_dirs),
    }


def _kiro(text: str | None) -> dict[str, Any]:
    """The Kiro security lists by their documented key; {} when absent or unreadable."""
    try:
        found = kiro_values(text) if text is not None else {}
    except ConfigError:
        found = {}  # the next run fails on it, naming the key
    return {key: tuple(found.get(name) or ()) for key, name in _KIRO_KEYS.items()}


def _or(value: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if value is None else value


# ---------------------------------------------------------------- comparing

Check = Callable[[Any, Any], str | None]  # (before, after) -> what changed, or None


def _becomes(value: object) -> Check:
    return lambda old, new: f"set to {_shown(value)}" if new == value != old else None


def _grows(old: Iterable[str], new: Iterable[str]) -> str | None:
    added = [v for v in new if v not in set(old)]
    return f"adds {', '.join(map(_shown, added))}" if added else None


def _shrinks(old: Iterable[str], new: Iterable[str]) -> str | None:
    dropped = [v for v in old if v not in set(new)]
    return f"drops {', '.join(map(_shown, dropped))}" if dropped else None


def _allow_widens(old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    if old and not new:
        return "set to [] (anything not denied may run)"
    return _grows(old, new)


def _set_or_changed(old: object, new: object) -> str | None:
    return f"set to {_shown(new)}" if new is not None and new != old else None


def _emptied(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> str | None:
    return "set to [] (the gate is off)" if new == () and old != () else None


def _raised(old: int | None, new: int | None) -> str | None:
    if old is None or new == old:
        return None  # no limit before: nothing to raise
    if new is None:
        return "set to no limit"
    return f"raised from {old} to {new}" if new > old else None


def _narrowed(old: tuple[str, ...], new: tuple[str, ...]) -> str | None:
    if new and not old:
        return f"limited to {', '.join(new)} (all reviewers before)"
    return _shrinks(old, new)


def _changed(old: object, new: object) -> str | None:
    return f"set to {_shown(new)}" if new != old else None


@dataclass(frozen=True)
class _Rule:
    key: str
    check: Check
    effect: str
    refused: bool


_RULES = (
    _Rule("sandbox", _becomes("off"), "commands would run unsandboxed", True),
    _Rule("sandbox_network", _becomes(True), "sandboxed commands would reach the network",
          True),
    _Rule("sandbox_env", _grows, "host environment variables would reach the commands", True),
    _Rule("sandbox_read", _grows, "hidden host paths would be shown to the commands", True),
    _Rule("commands.allow", _allow_widens, "the implementer may run more commands", True),
    _Rule("commands.deny", _shrinks, "commands denied before would be allowed", True),
    _Rule("sensitive", _shrinks, "secret files a model may never read become readable", True),
    _Rule("checkpoint_url", _set_or_changed, "run state would be stored on that server", True),
    _Rule("gates.build", _emptied, "the build gate is off", False),
    _Rule("gates.test", _emptied, "the test gate is off", False),
    _Rule("gates.coverage", _becomes("report"), "untested code no longer fails the gate",
          False),
    _Rule("gates.protected_branches", _shrinks, "those branches are no longer protected",
          False),
    _Rule("governance.max_files", _raised, "bigger changes pass without approval", False),
    _Rule("governance.max_lines", _raised, "bigger changes pass without approval", False),
    _Rule("governance.approval_paths", _shrinks, "those paths no longer need approval", False),
    _Rule("reviewers", _narrowed, "fewer reviewers look at later changes", False),
    _Rule("agents_dirs", _changed, "reviewers are defined elsewhere", False),
)

# documented Kiro key -> the canonical name `governance.kiro_values` gives it
_KIRO_KEYS = {"trustedCommands": "allow", "deniedCommands": "deny",
              "sensitiveFiles": "sensitive"}
_KIRO_RULES = (
    _Rule("trustedCommands", _grows, "the implementer may run more commands", True),
    _Rule("deniedCommands", _shrinks, "commands denied before would be allowed", True),
    _Rule("sensitiveFiles", _shrinks, "secret files a model may never read become readable",
          True),
)


def _compare(path: str, prefix: str, old: Mapping[str, Any], new: Mapping[str, Any],
             rules: Iterable[_Rule]) -> list[Weakening]:
    found = []
    for rule in rules:
        change = rule.check(old.get(rule.key), new.get(rule.key))
        if change is not None:
            found.append(Weakening(path, prefix + rule.key, change, rule.effect, rule.refused))
    return found


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)
