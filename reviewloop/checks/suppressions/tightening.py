"""Whether a change's edit of a tool's config only TIGHTENS it: the checks it switches on
and nothing else (ruff `select` / `extend-select` grown, `ignore` / `per-file-ignores`
shrunk, `target-version` or a `per-file-target-version` raised; `.shellcheckrc` `enable=`
grown; `.hadolint.yaml` `trustedRegistries` set or shortened, rules raised, labels
required, the failure threshold lowered; an ESLint flat config's global ignores dropped).
Such an edit hides nothing, so it is no suppression (`added`). ruff, shellcheck and
hadolint run with it (`APPLIED`:
`trusted_config.tightened_text`): an edit that can only add findings cannot narrow the
review. A tool not `APPLIED` gets a 🔵 note that the checks the edit adds were not applied
to the change that adds them.

An edit that cannot be read, or changes anything else, is not a tightening: it stays a
suppression lever."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Sequence
from pathlib import PurePosixPath
from typing import Any

from reviewloop.findings.schema import Finding, Severity

_RUFF_GROWN = ("select", "extend-select")  # lists whose growth only adds rules
_RUFF_SHRUNK = ("ignore", "extend-ignore", "per-file-ignores", "extend-per-file-ignores")
_RUFF_MOVED = frozenset({*_RUFF_GROWN, *_RUFF_SHRUNK, "target-version",
                         "per-file-target-version"})
_VERSION = re.compile(r"py3\d+")
RULE_TIGHTENS = "tightens-config"
APPLIED = frozenset({"shellcheck", "hadolint", "ruff"})  # their review runs a tightening's checks
SOURCE = "reviewloop"
_ESLINT_CONFIGS = tuple(f"eslint.config.{x}" for x in ("js", "mjs", "cjs", "ts", "mts", "cts"))
AGENT = "review-security"


def tightening(path: str, mine: str | None, trusted: str | None) -> list[str] | None:
    """What the edit of the config file `path` (the change's text `mine`, the trusted
    side's `trusted`) switches on, when that is all it does; None when it may loosen."""
    if mine is None or trusted is None:
        return None
    name = PurePosixPath(path).name
    judge: Callable[[str, str], list[str] | None] | None = {
        "ruff.toml": _ruff_file, ".ruff.toml": _ruff_file, "pyproject.toml": _pyproject,
        ".shellcheckrc": _shellcheck, "shellcheckrc": _shellcheck,
        ".hadolint.yaml": _hadolint, ".hadolint.yml": _hadolint,
        **dict.fromkeys(_ESLINT_CONFIGS, _eslint),
    }.get(name)
    try:
        return judge(mine, trusted) if judge else None
    except ValueError:  # TOMLDecodeError is one
        return None


def _ruff_file(mine: str, trusted: str) -> list[str] | None:
    return _ruff(tomllib.loads(mine), tomllib.loads(trusted))


def _pyproject(mine: str, trusted: str) -> list[str] | None:
    """A `[tool.ruff]` table on one side only is no tightening, whatever it holds: it makes
    the file the folder's ruff config, or stops it being one, and ruff takes the closest
    config and merges nothing, so the parent's rules and version stop (or start) applying
    there (a growth from "no table" severed the root config: review round 11, D1)."""
    def table(text: str) -> Any:
        tool = tomllib.loads(text).get("tool")
        return tool.get("ruff") if isinstance(tool, dict) else None
    new, old = table(mine), table(trusted)
    return None if new is None or old is None else _ruff(new, old)


def _ruff(mine: Any, trusted: Any) -> list[str] | None:
    """ruff rules the head's settings add at the top level or in `[lint]`, all else equal:
    `select` / `extend-select` grown, `ignore` / `extend-ignore` shrunk, a pattern or its
    rules dropped from `per-file-ignores`, `target-version` or a pattern's
    `per-file-target-version` raised (the floor the project checks for, `ruff_version`).
    A `select` only one side has is no growth: without it ruff's defaults apply."""
    if not isinstance(mine, dict) or not isinstance(trusted, dict):
        return None
    added: list[str] = []
    rest = []
    for side in (mine, trusted):
        top = {k: v for k, v in side.items() if k not in _RUFF_MOVED and k != "lint"}
        lint = side.get("lint", {})
        if not isinstance(lint, dict):
            return None
        rest.append((top, {k: v for k, v in lint.items() if k not in _RUFF_MOVED}))
    if rest[0] != rest[1]:
        return None
    for level in (mine, mine.get("lint", {})):
        other = trusted if level is mine else trusted.get("lint", {})
        for key in _RUFF_GROWN:
            if (key in level) != (key in other) and key == "select":
                return None
            new, old = level.get(key, []), other.get(key, [])
            if not isinstance(new, list) or not isinstance(old, list) or not set(old) <= set(new):
                return None
            added += [str(rule) for rule in new if rule not in old]
        for key in _RUFF_SHRUNK:
            dropped = _dropped(level.get(key), other.get(key))
            if dropped is None:
                return None
            added += [f"{key} without {rule}" for rule in dropped]
        raised = _raised(level.get("target-version"), other.get("target-version"))
        if raised is None:
            return None
        added += [f"target-version = {raised}"] if raised else []
        per_file = _raised_per_file(level.get("per-file-target-version"),
                                    other.get("per-file-target-version"))
        if per_file is None:
            return None
        added += per_file
    return added or None


def _dropped(new: Any, old: Any) -> list[str] | None:
    """What a shrunk `ignore` list (or `per-file-ignores` table: `pattern: rule`) no longer
    holds; None when it holds anything the old one did not, or is of another type. A table
    dropped whole is none: the one it replaced in the `extend` chain would apply again."""
    if new is None and old is None:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for pattern, rules in new.items():
            if pattern not in old:
                return None
            inner = _dropped(rules, old[pattern])
            if inner is None:
                return None
            out += [f"{pattern}: {rule}" for rule in inner]
        return out + [f"{pattern}: *" for pattern in old if pattern not in new]
    if isinstance(old, list) and isinstance(new, list | None) and set(new or []) <= set(old):
        return [str(rule) for rule in old if rule not in (new or [])]
    return None


def _raised_per_file(new: Any, old: Any) -> list[str] | None:
    """`per-file-target-version` entries the head raises (`PATTERN = py3X`), the same patterns
    on both sides; None when one is lowered, added or dropped (the file's version would be
    another's then), or the table is of another type."""
    if new == old:
        return []
    if not isinstance(new, dict) or not isinstance(old, dict) or new.keys() != old.keys():
        return None
    out = []
    for pattern, version in new.items():
        raised = _raised(version, old[pattern])
        if raised is None:
            return None
        out += [f"per-file-target-version {pattern} = {raised}"] if raised else []
    return out


def _raised(new: Any, old: Any) -> str | None:
    """The `target-version` the head raises the base's to ("" when it is the same); None when
    it lowers it, sets one where there was none, or drops it (ruff's default then applies)."""
    if new == old:
        return ""
    if isinstance(new, str) and isinstance(old, str) and _VERSION.fullmatch(new) and \
            _VERSION.fullmatch(old) and int(new[3:]) > int(old[3:]):
        return new
    return None


def _shellcheck(mine: str, trusted: str) -> list[str] | None:
    """The checks added `enable=` lines switch on, every other line the same
    (`analyzers.shellcheck_tightening`)."""
    from reviewloop.checks.analyzers.shellcheck_tightening import enabled

    return enabled(mine, trusted)


def _eslint(mine: str, trusted: str) -> list[str] | None:
    """Global ignores dropped; all else the same (`analyzers.eslint_tightening`)."""
    from reviewloop.checks.analyzers.eslint_tightening import dropped_ignores

    return dropped_ignores(mine, trusted)


def _hadolint(mine: str, trusted: str) -> list[str] | None:
    """trustedRegistries narrowed, rules raised, labels required, the threshold lowered; all
    else the same (`analyzers.hadolint_tightening`)."""
    from reviewloop.checks.analyzers.hadolint_tightening import tightened  # it reads this

    return tightened(mine, trusted)


def tightening_finding(path: str, owner: str, added: Collection[int],
                       enables: Sequence[str]) -> Finding:
    """A 🔵 note that the checks an edit switches on were not applied to its own change."""
    line = min(added, default=1)
    return Finding(
        severity=Severity.NIT, file=path, start_line=line, end_line=line, level="file",
        title=f"this change tightens {path}; its new checks were not run on it"[:120],
        rationale=(f"{path} configures {owner}. The change under review only switches checks "
                   f"on in it ({', '.join(enables)}): it hides nothing. This review read the "
                   "base version of every tool config the change edits, so the checks the "
                   "edit adds were not applied to the change itself; once it is merged, "
                   f"{owner} runs them on what this change adds."),
        suggestion=(f"Run {owner} with the new config on the changed files (or review them "
                    "again after the merge)."),
        confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE_TIGHTENS)
