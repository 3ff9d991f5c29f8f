"""Which lever tables of a shared file a change alters (`lever_files.LEVER_TABLES`): the
install scripts of a `package.json` and every script they run by name (`npm run setup`,
followed by `npm_scripts.reached`), a `pyproject.toml`'s `backend-path` or pylint's
`init-hook`. Pure: the caller gives both texts."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from typing import Any

from reviewloop.policy import globs
from reviewloop.policy.lever_files import LEVER_TABLES, LeverTable
from reviewloop.policy.npm_scripts import reached

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
    `removed`, `changed`; then each script the keys run by name that differs
    (`_run_by_keys`); a file that does not parse has the keys all `unreadable`."""
    data = _data(path, before), _data(path, after)
    if _UNREADABLE in data:  # what the tool reads there cannot be told: any edit counts
        return [f"{'.'.join(key)} unreadable" for key in table.keys] if before != after else []
    old, new = (_parts(table, side) for side in data)
    return [*(f"{key} {_verb(key, old, new)}" for key in sorted({*old, *new})
              if old.get(key) != new.get(key)),
            *_run_by_keys(table, *data)]


def _verb(key: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    return "added" if key not in old else "removed" if key not in new else "changed"


def _run_by_keys(table: LeverTable, before: Any, after: Any) -> list[str]:
    """Each script `table`'s keys run by name (`"postinstall": "npm run setup"`) that the
    change alters, with the key and the chain that reaches it: `scripts.setup changed (run
    by scripts.postinstall: postinstall → setup)`; the keys' own changes are said already."""
    if not table.scripts:
        return []
    sides = [_table(side, table.scripts) for side in (before, after)]
    where = ".".join(table.scripts)
    said: list[str] = []
    seen = {key[-1] for key in table.keys if key[:-1] == table.scripts}
    for hook in [key[-1] for key in table.keys if key[:-1] == table.scripts]:
        for side in (sides[1], sides[0]):  # the chain as the change has it, then as it was
            for name, chain in reached(side, hook).items():
                if name not in seen and sides[0].get(name) != sides[1].get(name):
                    said.append(f"{where}.{name} {_verb(name, *sides)} (run by {where}."
                                f"{hook}: {' → '.join(chain)})")
                seen.add(name)
    return said


def _table(data: Any, at: tuple[str, ...]) -> dict[str, Any]:
    """The table at key path `at` of `data` ({} when there is none)."""
    for name in at:
        data = data.get(name) if isinstance(data, dict) else None
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}


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


def _data(path: str, text: str | None) -> Any:
    """What `text` holds as the JSON or TOML its name says ({} for no file); `_UNREADABLE`
    when it does not parse."""
    if text is None:
        return {}
    try:
        text = text.removeprefix("\ufeff")  # npm and pip read past a byte-order mark
        return tomllib.loads(text) if path.endswith(".toml") else json.loads(text)
    except ValueError:  # TOMLDecodeError and JSONDecodeError both are
        return _UNREADABLE


def _parts(table: LeverTable, data: Any) -> dict[str, Any]:
    """{dotted key path: value} of `table`'s keys in `data`."""
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
