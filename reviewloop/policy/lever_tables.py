"""Which lever tables of a shared file a change alters (`lever_files.LEVER_TABLES`): the
install scripts of a `package.json`, a `pyproject.toml`'s `backend-path` or pylint's
`init-hook`. Pure: the caller gives both texts."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from typing import Any

from reviewloop.policy import globs
from reviewloop.policy.lever_files import LEVER_TABLES, LeverTable

_UNREADABLE = "unreadable"  # a file that does not parse: every part of it is worth a look


def tables_of(path: str) -> list[LeverTable]:
    """The lever tables a file at `path` may hold (most files: none, and nothing is read).
    Asked of every changed file: a table named by a bare file name (all of them now) is
    looked up by the path's last part, not matched as a glob (5,000 paths: ~165 ms)."""
    name = path.rpartition("/")[2]
    if name not in _NAMED and not _GLOBBED:
        return []
    return [t for t in LEVER_TABLES
            if (t.glob == name if _bare(t.glob) else globs.matches(t.glob, path))]


def _bare(glob: str) -> bool:
    """A glob that is a file name alone: it matches that name in any folder (and, as a
    gitignore pattern, a folder so named, whose files are no such file: left out)."""
    return not any(c in glob for c in "/*?[\\!")


_NAMED = frozenset(t.glob for t in LEVER_TABLES if _bare(t.glob))
_GLOBBED = any(not _bare(t.glob) for t in LEVER_TABLES)


def altered(table: LeverTable, path: str, before: str | None, after: str | None
            ) -> list[str]:
    """The key paths of `table` (dotted, `scripts.postinstall`) whose values differ between
    `before` and `after` (None: no such file), each with what happened to it: `added`,
    `removed`, `changed`; a file that does not parse has them all `unreadable`."""
    old, new = _parts(table, path, before), _parts(table, path, after)
    if _UNREADABLE in (old, new):  # what the tool reads there cannot be told: any edit counts
        return [f"{'.'.join(key)} unreadable" for key in table.keys] if before != after else []
    assert isinstance(old, dict) and isinstance(new, dict)
    return [f"{key} {'added' if key not in old else 'removed' if key not in new else 'changed'}"
            for key in sorted({*old, *new}) if old.get(key) != new.get(key)]


def relinked(before: str | None, after: str | None) -> str | None:
    """What the change did to a lever file as a symlink, given each side's target (None: no
    symlink there): `made a symlink to T` or `symlink retargeted from A to B`; None when it
    is no link after, or the same one. The tool reads through the link, never this check:
    made one, or pointed elsewhere, the file may now say anything (an install script too)."""
    if after is None or after == before:
        return None
    if before is None:
        return f"made a symlink to `{_shown(after)}`"
    return f"symlink retargeted from `{_shown(before)}` to `{_shown(after)}`"


def _shown(target: str) -> str:
    """A link's target as a finding quotes it: one line, at most 120 characters."""
    flat = target.replace("\n", "\\n").replace("`", "'")
    return flat if len(flat) <= 120 else flat[:117] + "..."


def _parts(table: LeverTable, path: str, text: str | None) -> dict[str, Any] | str:
    """{dotted key path: value} of `table`'s keys in `text`; `_UNREADABLE` when it does not
    parse as the JSON or TOML its name says."""
    if text is None:
        return {}
    try:
        text = text.removeprefix("\ufeff")  # npm and pip read past a byte-order mark
        data = tomllib.loads(text) if path.endswith(".toml") else json.loads(text)
    except ValueError:  # TOMLDecodeError and JSONDecodeError both are
        return _UNREADABLE
    return {".".join(at): value for key in table.keys for at, value in _found(data, key, ())}


def _found(data: Any, key: tuple[str, ...], at: tuple[str, ...]
           ) -> Iterator[tuple[tuple[str, ...], Any]]:
    if not key:
        yield at, data
        return
    if not isinstance(data, dict):
        return
    names = list(data) if key[0] == "*" else [key[0]] if key[0] in data else []
    for name in names:
        yield from _found(data[name], key[1:], (*at, str(name)))
