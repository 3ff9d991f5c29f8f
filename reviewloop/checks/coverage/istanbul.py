"""The lines a test run executed inside functions, from the istanbul JSON report
(`coverage-final.json`) a test runner writes of its own coverage (vitest, jest, c8, nyc).

Pure apart from reading that file. Per source file istanbul lists statements (`statementMap`,
run counts in `s`) and functions (`fnMap` with `loc`, call counts in `f`). As with V8 data
(`v8.py`), a line counts only inside a function that ran: a statement's first line counts
when the statement ran, overlaps a function that was called, and lies wholly in no function
that never was (the module's own code runs at import and says nothing about a test).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewloop.checks.paths import repo_path

REPORT = "coverage-final.json"
Position = tuple[int, float]  # line, column
Span = tuple[Position, Position]
_END = float("inf")  # istanbul leaves a column null (or out) when it means "to the line's end"


def read_istanbul_executed(root: Path, folder: Path) -> dict[str, set[int]]:
    """Executed lines per repo-relative path from `folder/coverage-final.json` (none when the
    runner wrote no report)."""
    executed: dict[str, set[int]] = {}
    for path, entry in _entries(root, folder).items():
        lines = file_lines(entry)
        if lines:
            executed.setdefault(path, set()).update(lines)
    return executed


def read_istanbul_measured(root: Path, folder: Path) -> frozenset[str] | None:
    """The repo-relative files the runner's report covers, run or not (vitest's and jest's
    `include`/`exclude`/`collectCoverageFrom` decide which); None when it wrote no report."""
    if not (folder / REPORT).is_file():
        return None
    return frozenset(_entries(root, folder))


def _entries(root: Path, folder: Path) -> dict[str, Mapping]:
    """The report's entries of the project's own files, by repo-relative path."""
    try:
        data = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}  # no report (the run failed before writing it): nothing ran that we know of
    entries: dict[str, Mapping] = {}
    for name, entry in (data.items() if isinstance(data, dict) else ()):
        if not isinstance(entry, dict):
            continue
        path = repo_path(root, str(entry.get("path") or name))
        if not (path.startswith(("/", "../")) or "node_modules/" in path):
            entries[path] = entry
    return entries


def file_lines(entry: Mapping) -> set[int]:
    """The executed lines inside functions of one file's istanbul entry."""
    called: list[Span] = []
    uncalled: list[Span] = []
    counts = entry.get("f") or {}
    for key, function in (entry.get("fnMap") or {}).items():
        span = _span(function.get("loc") or function.get("decl") or {})
        if span is not None:
            (called if counts.get(key) else uncalled).append(span)
    ran = entry.get("s") or {}
    lines = set()
    for key, where in (entry.get("statementMap") or {}).items():
        span = _span(where)
        if span is None or not ran.get(key):
            continue
        if any(_overlap(span, f) for f in called) and not any(_within(span, f) for f in uncalled):
            lines.add(span[0][0])
    return lines


def _span(where: Mapping) -> Span | None:
    try:
        start, end = where["start"], where["end"]
        return ((int(start["line"]), _column(start)), (int(end["line"]), _column(end)))
    except (KeyError, TypeError, ValueError):
        return None


def _column(position: Mapping) -> float:
    column = position.get("column")
    return _END if column is None else float(column)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _within(inner: Span, outer: Sequence[Position]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]
