"""Secrets in the names a change gives files: a key can be committed as a file's name as
well as in its lines. The names of a change's added and renamed files are scanned in one
scan, a name a line (5,000 scans of a short text cost ~0.2 s of CPU, one of them all
~5 ms), and remembered by name; `diff_scan.file_hits` places each hit on its file's first
line, where the review shows the file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reviewloop.git.diff import FileDiff, FileStatus

Scan = Callable[[str], list[Any]]  # `scanner.scan_text`, given: it imports this module
_NAMED: dict[str, tuple[Any, ...]] = {}  # a new name's secrets (`scan`), `SecretHit`s
_REMEMBERED = 65_536


def new(file: FileDiff) -> bool:
    """Whether the change gives `file` its name (added or renamed)."""
    return file.status in (FileStatus.ADDED, FileStatus.RENAMED)


def hits(file: FileDiff, scan_text: Scan) -> list[Any]:
    """The secrets in `file`'s name when the change gives it that name, on its line 1."""
    if not new(file):
        return []
    found = _NAMED.get(file.path)
    if found is None:
        found = scan([file.path], scan_text).get(file.path, ())
    return [hit.model_copy(update={"path": file.path, "line": 1, "column": 1, "end_column": 1,
                                   "description": f"{hit.description} in the file's name"})
            for hit in found]


def scan(names: list[str], scan_text: Scan) -> dict[str, tuple[Any, ...]]:
    """The secrets in each of `names` not scanned before, found by one scan of them all."""
    todo = [name for name in dict.fromkeys(names) if name not in _NAMED]
    found: dict[str, list[Any]] = {name: [] for name in todo}
    if todo:
        for hit in scan_text("\n".join(todo)):  # line k holds the k-th name
            found[todo[hit.line - 1]].append(hit)
        if len(_NAMED) + len(todo) > _REMEMBERED:
            _NAMED.clear()  # a bounded memory; parallel askers scan again, at worst
        _NAMED.update((name, tuple(hits)) for name, hits in found.items())
    return {name: tuple(hits) for name, hits in found.items()}
