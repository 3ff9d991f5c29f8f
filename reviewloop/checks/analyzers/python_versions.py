"""Python syntax newer than the Python reviewloop runs on: of the files that do not parse
here, those that only use what a later Python added (PEP 695's `type X = …` and `def f[T]()`,
3.12's f-strings, 3.13's type parameter defaults, 3.14's unparenthesized `except A, B`), each
named with the version it needs and what in it needs it, as ruff tells: ruff parses every
Python version itself, and given the running Python as its target it names each such form.

reviewloop's own AST checks and bandit (run in reviewloop's Python) cannot read such a file;
the reason says so instead of "syntax error", and the file stays not analysed: in bandit's
row, and in ruff's rows whether bandit runs or not (`unparsed_here`: reviewloop's own AST
readings, the lines a `# noqa` covers in a multi-line statement, the new public functions
coverage looks for, did not read it, though ruff did)."""

from __future__ import annotations

import ast
import bisect
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerError, parse_json, run_tool
from reviewloop.checks.analyzers.batch_failures import isolated
from reviewloop.checks.analyzers.ruff_run import ruff_command
from reviewloop.git.argv import batches
from reviewloop.git.names import under_text
from reviewloop.git.reads import derived, read_bytes

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
# the same, in the rows of ruff, which read the file: whether bandit runs or not
READ_BY_RUFF_ONLY = (
    "uses Python {version} syntax ({forms}); reviewloop runs on Python {running}, so its own "
    "AST checks (the lines a `# noqa` covers in a multi-line statement, the new public "
    "functions coverage looks for, bandit) could not read it, though ruff did; fix: install "
    "reviewloop in a Python {version} or later environment")
# where a later Python's syntax may be: a `type` alias, a generic `def` or `class`, an
# unparenthesized `except A, B`, an f-string of any prefix (`f`, `rf`, `Fr`, `fR`, …: the `f`
# comes last or just before the `r`; 3.12's may reuse its quote, hold a backslash or a
# comment), as bytes (a name: any but the bytes that end one, so a non-ASCII name is one too;
# none passes a NUL, which parts the files). Only a file holding one is parsed here
_MAYBE_NEWER = re.compile(rb"[fF][rR]?[\"']|def[ \t]+[^\s(\[\0]+[ \t]*\[|class[ \t]+[^\s(\[:\0]+"
                          rb"[ \t]*\[|type[ \t]+[^\s=(\0]|except[ \t]+[^(\s:\0][^:\n\0]*,")


def unparsed_here(root: Path, paths: Sequence[str], timeout: float) -> Mapping[str, str]:
    """Of the Python files `paths`, those this Python cannot parse only for the syntax a
    later one added, each with `READ_BY_RUFF_ONLY`'s reason (a real syntax error: ruff's
    own "could not parse it"). The files are searched as one text, each at most to its
    first `_MAYBE_NEWER` (5,000 files of a review's reads: ~15 ms of CPU); in a review's
    batch (`git.reads.derived`) once for the same files, which ruff's views all ask about
    (two at five reviewers). The answer is shared: read it, never change it."""
    return derived(root, (__name__, tuple(paths)), lambda: _unparsed(root, paths, timeout))


def _unparsed(root: Path, paths: Sequence[str], timeout: float) -> dict[str, str]:
    read: list[tuple[str, bytes]] = []
    for path in paths:
        try:
            read.append((path, read_bytes(root, under_text(root, path))))
        except OSError:  # named by ruff's E902
            continue
    starts, at = [], 0
    for _, data in read:
        starts.append(at)
        at += len(data) + 1
    text, unparsed, position = b"\0".join(data for _, data in read), [], 0
    while (match := _MAYBE_NEWER.search(text, position)) is not None:
        index = bisect.bisect_right(starts, match.start()) - 1
        if not _parses(read[index][1]):
            unparsed.append(read[index][0])
        position = starts[index + 1] if index + 1 < len(starts) else len(text)
    return newer_syntax(root, unparsed, timeout, READ_BY_RUFF_ONLY)


def _parses(text: bytes) -> bool:
    try:
        compile(text, "<reviewed>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def newer_syntax(root: Path, paths: Sequence[str], timeout: float,
                 reason: str = NEWER) -> dict[str, str]:
    """Of `paths` (repository paths of files that did not parse here), those whose only
    syntax errors are forms a later Python added, each with `reason` (`NEWER`); a file with
    a real syntax error, or ruff fails on (`batch_failures`), or when ruff cannot be run, is
    left out (its parse error stands)."""
    if not paths:
        return {}
    argv = [*ruff_command(), "check", "--isolated", "--no-cache", "--exit-zero",
            "--select", "F821", "--target-version", f"py3{sys.version_info.minor}",
            "--output-format", "json", "--"]
    try:
        found = [d for run in batches(list(paths))
                 for report in isolated(lambda part: parse_json(
                     run_tool([*argv, *part], root, timeout), "ruff"), run)[0]
                 for d in report]
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
    return {path: _reason(forms, reason) for path, forms in errors.items()
            if path not in real and path in paths}


def _reason(forms: list[tuple[str, str, int]], reason: str) -> str:
    version = max((v for _, v, _ in forms), key=lambda v: int(v.split(".")[1]))
    lines: dict[str, list[int]] = {}
    for form, _, row in forms:
        lines.setdefault(form[:1].lower() + form[1:], []).append(row)
    named = "; ".join(f"{form}, line{'s' if len(rows) > 1 else ''} "
                      f"{', '.join(map(str, sorted(set(rows))))}"
                      for form, rows in lines.items())
    return reason.format(version=version, forms=named, running=RUNNING)
