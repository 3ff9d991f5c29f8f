"""The lines a run wrote (or removed after), by file, as the triage asks them: whether a
finding's lines hold one costs a logarithm of its file's runs of lines, and only the files
findings name are sorted into runs."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from reviewloop.findings.schema import normalise_path


class Written:
    """One file's lines a change wrote (or removed after), ascending, and their runs of
    consecutive lines: whether a finding's lines hold one costs a logarithm of the file's
    runs (its hunks), not of its lines."""

    __slots__ = ("_ends", "_starts", "lines")

    def __init__(self, lines: Iterable[int]) -> None:
        self.lines = tuple(sorted(set(lines)))
        self._starts: list[int] = []
        self._ends: list[int] = []
        for n in self.lines:
            if self._ends and n == self._ends[-1] + 1:
                self._ends[-1] = n
            else:
                self._starts.append(n)
                self._ends.append(n)

    def __bool__(self) -> bool:
        return bool(self.lines)

    def within(self, start: int, end: int) -> bool:
        """Whether one of the lines lies in start..end."""
        at = bisect_right(self._starts, end) - 1  # the last run starting by `end`
        return at >= 0 and self._ends[at] >= start

    def nearest(self, start: int, end: int) -> int:
        """Of the lines just before start..end and just after it (none within it), the
        nearest; the one before on a tie."""
        at = bisect_right(self._starts, end)  # the runs before it, then those after
        near = [*(self._ends[at - 1:at] if at else ()), *self._starts[at:at + 1]]
        return min(near, key=lambda n: min(abs(n - start), abs(n - end)))


class WrittenScope(Mapping[str, Written]):
    """Each file's `Written` under its normalised path, made when the file is first asked
    about: a round of 5,000 changed files and a few findings sorted every file's lines into
    runs for the few files the findings name."""

    __slots__ = ("_made", "_parts")

    def __init__(self, parts: Mapping[str, list[Collection[int]]]) -> None:
        self._parts = parts  # normalised path -> the collections of its lines
        self._made: dict[str, Written] = {}

    def __getitem__(self, path: str) -> Written:
        made = self._made.get(path)
        if made is None:
            made = self._made[path] = Written(chain.from_iterable(self._parts[path]))
        return made

    def get(self, path: str, default: object = None) -> Any:
        """`Mapping.get` without raising and catching a `KeyError` for each path the scope
        lacks (a finding asks its file's removals: most files have none)."""
        return self[path] if path in self._parts else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)


def normalise_scope(scope: Mapping[str, Collection[int]]) -> WrittenScope:
    """Each file's lines under its normalised path (what `rounds.outside_reason` reads)."""
    merged: dict[str, list[Collection[int]]] = {}
    for path, lines in scope.items():
        merged.setdefault(normalise_path(path, named_by_a_model=False), []).append(lines)
    return WrittenScope(merged)
