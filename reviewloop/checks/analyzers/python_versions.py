"""Python syntax newer than the Python reviewloop runs on: of the files that do not parse
here, those that only use what a later Python added (PEP 695's `type X = …` and `def f[T]()`,
3.12's f-strings, 3.13's type parameter defaults, 3.14's unparenthesized `except A, B`), each
named with the version it needs and what in it needs it, as ruff tells: ruff parses every
Python version itself, and given the running Python as its target it names each such form.

reviewloop's own AST checks and bandit (run in reviewloop's Python) cannot read such a file;
the reason says so instead of "syntax error", and the file stays not analysed."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerError, parse_json, run_tool
from reviewloop.checks.analyzers.ruff_run import ruff_command
from reviewloop.git.argv import batches

RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
# ruff's words for syntax the target Python lacks: "Cannot use `type` alias statement on
# Python 3.11 (syntax was added in Python 3.12)"
_ADDED = re.compile(r"^(?:Cannot use )?(?P<form>.+?) on Python 3\.\d+ "
                    r"\(syntax was added in Python (?P<version>3\.(?P<minor>\d+))\)$")
_SYNTAX_ERROR = "invalid-syntax"
NEWER = ("uses Python {version} syntax ({forms}); reviewloop runs on Python {running}, so its "
         "own AST checks did not run on it and bandit, which runs on that Python, could not "
         "parse it; ruff parses newer syntax itself; fix: install reviewloop in a Python "
         "{version} or later environment")


def newer_syntax(root: Path, paths: Sequence[str], timeout: float) -> dict[str, str]:
    """Of `paths` (repository paths of files that did not parse here), those whose only
    syntax errors are forms a later Python added, each with `NEWER`'s reason; a file with a
    real syntax error, or when ruff cannot be run, is left out (its parse error stands)."""
    if not paths:
        return {}
    argv = [*ruff_command(), "check", "--isolated", "--no-cache", "--exit-zero",
            "--select", "F821", "--target-version", f"py3{sys.version_info.minor}",
            "--output-format", "json", "--"]
    try:
        found = [d for run in batches(list(paths))
                 for d in parse_json(run_tool([*argv, *run], root, timeout), "ruff")]
    except (AnalyzerError, OSError, TypeError):  # no ruff, or no list: as bandit said
        return {}
    errors: dict[str, list[tuple[str, str, int]]] = {}
    real: set[str] = set()
    for d in found:
        if not isinstance(d, dict) or d.get("code") != _SYNTAX_ERROR:
            continue
        name = Path(str(d.get("filename", ""))).resolve()
        path = name.relative_to(root.resolve()).as_posix() if name.is_relative_to(
            root.resolve()) else str(d.get("filename"))
        said = _ADDED.match(str(d.get("message") or ""))
        if said is None:
            real.add(path)
            continue
        row = (d.get("location") or {}).get("row", 0)
        errors.setdefault(path, []).append((said["form"], said["version"], row))
    return {path: _reason(forms) for path, forms in errors.items()
            if path not in real and path in paths}


def _reason(forms: list[tuple[str, str, int]]) -> str:
    version = max((v for _, v, _ in forms), key=lambda v: int(v.split(".")[1]))
    lines: dict[str, list[int]] = {}
    for form, _, row in forms:
        lines.setdefault(form[:1].lower() + form[1:], []).append(row)
    named = "; ".join(f"{form}, line{'s' if len(rows) > 1 else ''} "
                      f"{', '.join(map(str, sorted(set(rows))))}"
                      for form, rows in lines.items())
    return NEWER.format(version=version, forms=named, running=RUNNING)
