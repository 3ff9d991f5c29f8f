"""A diff's lines as its parser is given them, and each file's added and removed lines read
from them.

unidiff reads the file and hunk headers and checks every hunk line's kind and count
(`metadata_only`); the lines themselves are taken here from the diff's own lines, in one
pass a file: the parser's full mode made an object, a regex match and a copy for every line
(a 5,000-file change: 70,000 of them), and a second walk read them back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import NamedTuple

from unidiff.constants import RE_HUNK_HEADER
from unidiff.patch import PatchedFile

from reviewloop.git.diff_headers import HeaderNames


class AddedLine(NamedTuple):
    """One added line; a tuple, not a model: a 20k-line diff has 20k of them, and building
    each as a pydantic model was a tenth of a review round's CPU."""

    line: int  # 1-based, in the new file
    text: str  # without the line ending


class Lines:
    """The diff's lines (split on "\\n" only); `parsed` is what the parser reads (header
    names with a space quoted, `HeaderNames`), and iterating says how far it has read."""

    def __init__(self, text: str):
        # each line with its "\n", the last as it is (none after a final "\n"): C's own
        # split (`\r`, `\x0b`, `\u2028` and the rest are no line ends here)
        self.all = io.StringIO(text, newline="\n").readlines()
        self.read = 0  # 1-based number of the last line handed out
        self.hunk = 0  # number of the last hunk header handed out

    def parsed(self) -> list[str]:
        """The lines as `__iter__` hands them out, all at once: only header lines can
        differ, so only they are looked at (the list itself when none does)."""
        out = self.all
        names: HeaderNames | None = None
        for at in [i for i, line in enumerate(self.all)
                   if line.startswith(("@@", "diff --git ", "--- ", "+++ "))]:
            line = self.all[at]
            if line.startswith("@@"):
                names = None
                continue
            if line.startswith("diff --git "):
                names = HeaderNames.of(self.all, at)
                shown = names.header(line) if names is not None else line
            elif names is not None:
                shown = names.file_line(line)
            else:
                continue
            if shown is not line:
                out = out if out is not self.all else list(self.all)
                out[at] = shown
        return out

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(self.parsed(), 1):
            self.read = number
            if line.startswith("@@"):
                self.hunk = number
            yield line


_new = tuple.__new__


class FileLines(NamedTuple):
    added: tuple[AddedLine, ...]
    removals: tuple[int, ...]  # `FileDiff.removals`
    removed: int


def file_lines(pf: PatchedFile, lines: Sequence[str], start: int, end: int
               ) -> FileLines | None:
    """(the added lines, the removal points, how many lines were removed) of the file `pf`
    whose part of the diff is `lines[start:end]`, each hunk's lines counted as the parser
    counted them: None when they do not add up to the parser's hunks (the caller then asks
    the parser for every line)."""
    reader = HunkReader()
    at = start
    for hunk in pf:
        while at < end and not (lines[at].startswith("@@") and RE_HUNK_HEADER.match(lines[at])):
            at += 1
        after = reader.read(lines, at, end, hunk.target_start, hunk.source_length,
                            hunk.target_length) if at < end else None
        if after is None:
            return None
        at = after
    return reader.lines()


class HunkReader:
    """A file's added lines, removal points and removed count, read hunk by hunk from a
    diff's lines as unidiff counts a hunk: at least one line, until both its counts are
    reached."""

    def __init__(self) -> None:
        self.added: list[AddedLine] = []
        self.removals: list[int] = []
        self.removed = 0

    def read(self, lines: Sequence[str], at: int, end: int, number: int, source: int,
             target: int) -> int | None:
        """Read the hunk whose header is `lines[at]` (`-…,source +number,target`); where
        the next part starts, or None when its lines do not add up before `end` or one is
        not a hunk line."""
        body = lines[at + 1:at + 1 + target] if target and not source else ()
        if body and len(body) == target and all(map(str.startswith, body, repeat("+"))):
            # a hunk that only adds lines (a new file): read as the loop below reads it, each
            # line's tuple made by `tuple.__new__` (the named tuple's own `__new__` is a
            # Python function: 70,000 calls at 5,000 files)
            self.added += map(_new, repeat(AddedLine), zip(
                range(number, number + target),
                [line[1:].removesuffix("\n").removesuffix("\r") for line in body], strict=True))
            return at + target + 1
        # A hunk with no new lines (`+9,0`) names the line before the removal; otherwise its
        # first line is `target_start`, so what precedes it is one less.
        last = number - 1 if target else number
        removing = False
        old = new = 0
        while True:  # (once past either count, both are never reached)
            at += 1
            if at >= end:
                return None
            line = lines[at]
            kind = line[0] if line and line[0] not in "\r\n" else " "
            if kind == "+":
                new += 1
                last, removing = number, False
                self.added.append(AddedLine(number,
                                            line[1:].removesuffix("\n").removesuffix("\r")))
                number += 1
            elif kind == "-":
                old += 1
                self.removed += 1
                if not removing:
                    self.removals.append(last)
                removing = True
            elif kind == " ":
                old += 1
                new += 1
                last, removing = number, False
                number += 1
            elif kind != "\\":
                return None
            if old == source and new == target:
                return at + 1

    def lines(self) -> FileLines:
        return FileLines(tuple(self.added), tuple(self.removals), self.removed)


def context_lines(text: str) -> dict[int, str]:
    """New-file number → text of the unchanged lines a file's diff part `text` shows
    around its changes (git's `-U3`): what a secret split between an unchanged line and
    an added one needs to be seen whole. Empty for a file the diff adds whole."""
    shown: dict[int, str] = {}
    lines = text.split("\n")
    at = 0
    while at < len(lines):
        header = RE_HUNK_HEADER.match(lines[at]) if lines[at].startswith("@@") else None
        at += 1
        if header is None:
            continue
        source = int(header.group(2) or 1)
        number, target = int(header.group(3)), int(header.group(4) or 1)
        old = new = 0
        while at < len(lines) and (old < source or new < target):
            line = lines[at]
            kind = line[:1] if line[:1] not in ("", "\r") else " "
            if kind in " +":
                if kind == " ":
                    shown[number] = line[1:].removesuffix("\r")
                number += 1
                new += 1
            old += kind in " -"
            at += 1
    return shown
