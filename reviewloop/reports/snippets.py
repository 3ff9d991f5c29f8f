"""The code a finding points at, as the run saw it: read from the run's own round diffs (pure).

A finding's lines are numbered in the file as the round that reported it saw it, and those
lines are in that round's diff (a finding is in scope only on lines the run wrote). So the
snippet is the new side of the diff around the finding — its context and added lines — from
the latest round that reported it, then the others. A finding on no line of any diff (outside
the change, a whole file) has no snippet; nor has a sensitive file. Every line passes the
secrets scanner's redaction, like everything else a report shows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict

from reviewloop.checks.secrets.scanner import redact
from reviewloop.errors import UserInputError
from reviewloop.findings.ledger import Entry, Status
from reviewloop.git.diff import ChangeSet, hunks, parse_diff
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE, is_sensitive

CONTEXT = 3  # lines shown before and after the finding's lines
MOST = 24  # lines shown at most


class CodeLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    text: str
    added: bool  # a line the change wrote
    flagged: bool  # within the finding's lines


class Snippet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    round: int  # the round whose diff it comes from
    lines: list[CodeLine]


def snippets(entries: Iterable[Entry], diffs: Mapping[int, str], *,
             sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> dict[str, Snippet]:
    """Each entry's snippet by its id, for the entries that have one. Each round's diff is
    parsed once, and each file's hunks in it once: 10,000 findings in a few files are not
    10,000 parses of their hunks."""
    parsed: dict[int, ChangeSet | None] = {}
    sides: dict[tuple[int, str], list[_Hunk]] = {}
    found: dict[str, Snippet] = {}
    for entry in entries:
        finding = entry.finding
        if finding.level == "file" or is_sensitive(PurePosixPath(finding.file), sensitive):
            continue
        for round_no in _rounds(entry, diffs):
            if round_no not in parsed:
                parsed[round_no] = _parse(diffs[round_no])
            changes = parsed[round_no]
            if changes is None:
                continue
            key = (round_no, finding.file)
            if key not in sides:
                sides[key] = _new_sides(changes, finding.file)
            lines = _around(sides[key], finding.start_line, finding.end_line)
            if lines:
                found[entry.id] = Snippet(round=round_no, lines=lines)
                break
    return found


def _rounds(entry: Entry, diffs: Mapping[int, str]) -> list[int]:
    """The rounds to look in: those that reported it, latest first (a fixed finding shows
    the code it was reported on, not its fix), then the rest, latest first."""
    named = [t.round for t in reversed(entry.history) if t.status is not Status.FIXED]
    return list(dict.fromkeys([*(r for r in named if r in diffs), *sorted(diffs, reverse=True)]))


def _parse(text: str) -> ChangeSet | None:
    try:
        return parse_diff(text)
    except UserInputError:  # a diff that does not parse shows no code, and says nothing else
        return None


@dataclass(frozen=True)
class _Hunk:
    """A hunk's new side: its line numbers (ascending) and (text, added) of each."""

    numbers: list[int]
    lines: list[tuple[str, bool]]


def _new_sides(changes: ChangeSet, path: str) -> list[_Hunk]:
    """The new side of each hunk of `path` in `changes` (none for a binary or absent file)."""
    diff = changes.file(path)
    if diff is None or diff.binary:
        return []
    sides = []
    for hunk in hunks(diff) or ():
        new_side = [(line.target_line_no, line.value.rstrip("\r\n"), line.is_added)
                    for line in hunk if line.target_line_no is not None]
        if new_side:
            sides.append(_Hunk([n for n, _, _ in new_side], [(t, a) for _, t, a in new_side]))
    return sides


def _around(sides: list[_Hunk], start: int, end: int) -> list[CodeLine]:
    """The lines around start..end, from the hunk that holds `start`: found by bisection,
    and only the lines shown redacted."""
    for hunk in sides:
        if not hunk.numbers[0] <= start <= hunk.numbers[-1]:
            continue
        low, high = start - CONTEXT, max(end, start) + CONTEXT
        first = bisect_left(hunk.numbers, low)
        last = min(bisect_right(hunk.numbers, high), first + MOST)
        return [CodeLine(number=n, text=redact(text), added=added,
                         flagged=start <= n <= max(end, start))
                for n, (text, added) in zip(hunk.numbers[first:last], hunk.lines[first:last],
                                            strict=True)]
    return []
