"""The offline fixer: only fixes a tool can make safely, never a guess.

With the LLM off, the findings an analyzer can repair itself are repaired by that analyzer
(ruff's safe fixes); everything else is left for the human and said so. Only the fixes of
the findings it was asked to fix are applied: ruff reports its fixes (`--output-format
json`) and the edits of a diagnostic of a finding's rule on the finding's lines are made,
nothing else. `ruff --fix` on the whole file would also rewrite the same rule's other
occurrences, code the change never wrote and the report says was not acted on.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.findings.schema import Finding
from reviewloop.findings.titles import short_title
from reviewloop.git.names import on_disk

_LINE_END = re.compile(r"\r\n|\r|\n")  # what ends a line for ruff's row numbers
_CODE = re.compile(r"[A-Z]+[0-9]+")


@dataclass(frozen=True)
class AutofixResult:
    fixed_rules: tuple[str, ...]
    files: tuple[str, ...]
    left: tuple[Finding, ...]  # no safe automatic fix was made for these
    output: str = ""


@dataclass(frozen=True)
class _Fix:
    finding: Finding
    edits: tuple[tuple[int, int, str], ...]  # (start, end, content) as text offsets


def safe_fixes(root: Path, findings: Sequence[Finding], *, timeout: float = 120) -> AutofixResult:
    # a rule ruff can select (not `invalid-syntax`, which no `--select` takes)
    ruff = [f for f in findings if f.source.startswith("ruff") and f.rule
            and _CODE.fullmatch(f.rule)]
    if not ruff:
        return AutofixResult((), (), tuple(findings))
    rules = sorted({f.rule for f in ruff if f.rule})
    files = sorted({f.file for f in ruff})
    command = [*ruff_command(), "check", "--isolated", "--output-format", "json", "--quiet",
               "--exit-zero", "--select", ",".join(rules), "--", *(on_disk(f) for f in files)]
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout)
        report = json.loads(proc.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        return AutofixResult((), (), tuple(findings), output=f"ruff could not run: {exc}")
    fixed: list[Finding] = []
    for file in files:
        fixed += _apply(root, file, [f for f in ruff if f.file == file], report)
    done = {id(f) for f in fixed}
    return AutofixResult(
        fixed_rules=tuple(sorted({f.rule for f in fixed if f.rule})),
        files=tuple(sorted({f.file for f in fixed})),
        left=tuple(f for f in findings if id(f) not in done),
        output=proc.stderr[-2000:])


def _apply(root: Path, file: str, findings: list[Finding], report: list[Any]) -> list[Finding]:
    """Make the safe fixes of `findings` (all in `file`) that do not overlap; the findings
    whose fix was made."""
    path = root / on_disk(file)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return []
    # ruff counts columns after a byte-order mark
    starts = [1 if text.startswith("\ufeff") else 0] + [m.end() for m in _LINE_END.finditer(text)]
    taken: list[tuple[int, int]] = []
    chosen: list[_Fix] = []
    for fix in _fixes(path.resolve(), findings, report, starts):
        spans = [(start, end) for start, end, _ in fix.edits]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue  # ruff would make it on a later pass; left for the human here
        taken += spans
        chosen.append(fix)
    if not chosen:
        return []
    fixed = text
    for start, end, content in sorted((e for fix in chosen for e in fix.edits), reverse=True):
        fixed = fixed[:start] + content + fixed[end:]
    if _parses(text) and not _parses(fixed):
        return []  # fixes that together break the file (a body left empty): none is made
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(fixed)
    return [fix.finding for fix in chosen]


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _fixes(path: Path, findings: list[Finding], report: list[Any],
           starts: list[int]) -> Iterable[_Fix]:
    """For each finding, the safe fix of ruff's diagnostic of its rule on its lines."""
    for finding in findings:
        for item in report:
            fix = item.get("fix") or {}
            row = item.get("location", {}).get("row", 0)
            # the same diagnostic: its rule, its line and its words (ruff run here with its
            # default options may flag the same line for the opposite reason: a quote style)
            if (item.get("code") != finding.rule or fix.get("applicability") != "safe"
                    or not finding.start_line <= row <= finding.end_line
                    or short_title(item.get("message", "")) != finding.title
                    or Path(item.get("filename", "")).resolve() != path):
                continue
            edits = tuple(_offsets(edit, starts) for edit in fix.get("edits", ()))
            if all(edit is not None for edit in edits):
                yield _Fix(finding, tuple(e for e in edits if e is not None))
            break


def _offsets(edit: dict[str, Any], starts: list[int]) -> tuple[int, int, str] | None:
    """An edit's 1-based (row, column) places as offsets in the text: ruff's columns count
    characters; a row one past the last line is the text's end."""
    places = []
    for key in ("location", "end_location"):
        row, column = edit[key]["row"], edit[key]["column"]
        if not 1 <= row <= len(starts):
            return None
        places.append(starts[row - 1] + column - 1)
    return places[0], places[1], edit.get("content") or ""


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a == b
