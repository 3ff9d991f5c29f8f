"""The config files the analyzers' tools obey, as the levers they are: each registered
analyzer declares its tool's (`config_files`), and every question "is this path a lever?"
asked above the policy layer comes here, so a tool's files are never left out.

A whole file (`ruff.toml`, `.checkov.yaml`) is a suppression lever of its tool by its path
(`lever`); a table of a file others share (`[tool.ruff]` of pyproject.toml, `eslintConfig`
of package.json) counts only when the change alters that table (`edited_tables`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Any

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.policy import globs
from reviewloop.policy.lever_files import ConfigFile, Lever, first_lever


@cache
def declared() -> tuple[ConfigFile, ...]:
    """Every registered analyzer's config files (a plugin's too), once each, in registry
    order."""
    return tuple(dict.fromkeys(c for a in analyzers().values() for c in a.config_files))


@cache
def tool_levers() -> tuple[Lever, ...]:
    """The whole files among them, as suppression levers of their tools."""
    return tuple(dict.fromkeys(c.lever for c in declared() if not c.key))


def lever(path: str, extra: Iterable[Lever] = ()) -> Lever | None:
    """The lever `path` is (`policy.lever_files.lever`, with the tools' config files): the
    first of `extra`, the tools' files and the policy's list that matches."""
    for candidate in extra:
        if globs.matches(candidate.glob, path):
            return candidate
    return _declared_lever(path)


@lru_cache(maxsize=65_536)  # asked about every changed file by several checks
def _declared_lever(path: str) -> Lever | None:
    # keyed by the path alone: hashing the ~100 levers of the key on every call was most of
    # the cost at 5,000 changed files
    return first_lever(path, tool_levers())


def tables_in(path: str) -> list[ConfigFile]:
    """The declared tables a file at `path` may hold (`[tool.ruff]` in a pyproject.toml);
    most files hold none, and then neither side of them need be read."""
    tables, any_of = _tables()
    if not any_of(path):  # most files: one search, not one a table
        return []
    return [c for c in tables if globs.matches(c.glob, path)]


_Tables = tuple[tuple[ConfigFile, ...], Callable[[str], bool]]


def _tables() -> _Tables:
    """The declared tables (of ~40 config files, the few with a `key`) and whether a path
    matches any of their globs (`globs.matcher`), worked out once for each `declared()`
    answer."""
    files = declared()
    seen, answer = _TABLES[0]
    if seen is not files:
        tables = tuple(c for c in files if c.key)
        answer = (tables, globs.matcher(tuple(c.glob for c in tables)))
        _TABLES[0] = (files, answer)
    return answer


# `declared()`'s last answer and its tables (one item, replaced whole: threads ask at once)
_TABLES: list[tuple[object, _Tables]] = [(None, ((), lambda path: False))]


def edited_tables(path: str, mine: str | None, trusted: str | None) -> list[ConfigFile]:
    """The declared tables of `path` that differ between the change's text `mine` and the
    trusted side's `trusted` (None: no such file). A file that cannot be parsed has every
    table changed: it is worth a look."""
    return [c for c in tables_in(path)
            if _table(path, mine, c.key) != _table(path, trusted, c.key)]


def _table(path: str, text: str | None, key: tuple[str, ...]) -> Any:
    if text is None:
        return None
    load: Callable[[str], Any] = tomllib.loads if path.endswith(".toml") else json.loads
    try:
        data = load(text)
    except ValueError:  # TOMLDecodeError and JSONDecodeError both are
        return "unreadable"
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    return data
