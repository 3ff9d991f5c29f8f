"""Where a tool ends a line and git does not. git ends a line at LF only; a tool that also
ends one elsewhere (a lone CR, U+2028, …) numbers every finding after such a break past
git's line, where it would be judged outside the change. Such a break may sit anywhere in a
changed file, far above the hunks the diff shows, so the whole text of each file is looked
at. Each analyzer declares the breaks its tool counts as `line_breaks`
(`registry.Analyzer`): its findings are renumbered onto git's lines (`Renumbering`). One
that declares nothing is held to every break `str.splitlines` knows, the widest a tool is
likely to count, and a file where one may have moved its findings is named as not analysed
by it (`Renumbering.of` says which): renumbering by breaks its tool may not count would move
its findings off their lines instead."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding
from reviewloop.git.names import under_text
from reviewloop.git.reads import read_bytes

# Python's tokenizer (bandit's ast, ruff): LF, CRLF and CR.
PYTHON = re.compile(r"\r(?!\n)")
# ECMAScript's LineTerminator (ESLint): LF, CR, U+2028, U+2029.
JAVASCRIPT = re.compile(r"\r(?!\n)|[\u2028\u2029]")
# str.splitlines: also VT, FF, the file/group/record separators and NEL.
EVERY = re.compile(r"\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# the UTF-8 bytes of every character of the above: asked one by one (`in`, a memchr each)
# before a file is decoded and searched, so a file without any costs a few scans
_ODD = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8",
        b"\xe2\x80\xa9")

REASON = ("it ends lines where git does not (a carriage return alone, or a separator such "
          "as U+2028), and it does not say which: its findings here cannot be placed on "
          "git's lines")


def declared(analyzer: object) -> re.Pattern[str] | None:
    """The breaks `analyzer` counts that git does not (None: it numbers lines as git)."""
    return getattr(analyzer, "line_breaks", EVERY)


@dataclass(frozen=True)
class _Shifts:
    """One file's tool lines that start after a break git does not count, each with the git
    line it starts on; the lines between two such breaks follow one for one."""

    tool: list[int] = field(default_factory=list)
    git: list[int] = field(default_factory=list)

    def line(self, number: int) -> int:
        """The git line holding the start of the tool's line `number`."""
        at = bisect_right(self.tool, number) - 1
        return number if at < 0 else self.git[at] + number - self.tool[at]


def tool_lines(text: str, breaks: re.Pattern[str]) -> _Shifts:
    """Where `text`'s lines as a tool counts them (ending also at `breaks`) part from git's,
    its `line` the git line of a tool line: one pass over its odd breaks, counting the line
    feeds between them (linear in the text)."""
    shifts, tool, git, last = _Shifts(), 1, 1, 0
    for match in breaks.finditer(text):
        lfs = text.count("\n", last, match.start())
        git, tool, last = git + lfs, tool + lfs + 1, match.end()
        shifts.tool.append(tool)
        shifts.git.append(git)
    return shifts


@dataclass(frozen=True)
class Renumbering:
    """An analyzer's findings on the files it read, put on git's lines; `unplaced`: the
    files whose breaks it does not declare, which it names as not analysed."""

    files: dict[str, _Shifts] = field(default_factory=dict)
    unplaced: tuple[str, ...] = ()

    @classmethod
    def of(cls, ctx: AnalyzerContext, paths: Sequence[str], analyzer: object,
           found: Iterable[Finding] = ()) -> Renumbering:
        """The renumbering of `analyzer`'s findings `found` on `paths` in the tree at
        `ctx.root`; only the files it found something in are read.

        One that does not declare its breaks names (`unplaced`) only the files where an odd
        break may have moved a finding the review places: a finding of its that ends below
        the file's first odd break (above it, every tool counts lines as git does; a file
        without a finding on a line has nothing to move), on a file the change wrote that it
        was given (`ctx.files`). A finding on any other file it read (an unchanged module
        file, a variable file read as context) is dropped whatever its line, unless the
        analyzer shows such findings on the change (`attributed`: checkov reads the variables
        on the finding's lines); for one that does, those files are asked too."""
        breaks = declared(analyzer)
        if breaks is None:
            return cls()
        found = list(found)
        if hasattr(analyzer, "line_breaks"):
            holding = {f.file for f in found}
            shifted = {path: shifts for path, text in _odd_texts(
                ctx, [p for p in paths if p in holding])
                if (shifts := tool_lines(text, breaks)).tool}
            return cls(files=shifted)
        placed = None if getattr(analyzer, "attributed", None) is not None else ctx.file_set
        lowest: dict[str, int] = {}  # the last line of a file's findings, as its tool counts
        for f in found:
            if f.level != "file" and (placed is None or f.file in placed):
                lowest[f.file] = max(lowest.get(f.file, 0), f.end_line)
        return cls(unplaced=tuple(
            path for path, text in _odd_texts(ctx, [p for p in paths if p in lowest])
            if (shifts := tool_lines(text, breaks)).tool and lowest[path] >= shifts.tool[0]))

    def finding(self, finding: Finding) -> Finding:
        """`finding` on git's lines (itself when its file needs none)."""
        shifts = self.files.get(finding.file)
        if shifts is None or finding.level == "file":
            return finding
        start, end = shifts.line(finding.start_line), shifts.line(finding.end_line)
        if (start, end) == (finding.start_line, finding.end_line):
            return finding
        return finding.moved(start_line=start, end_line=end)

    def findings(self, found: Iterable[Finding]) -> list[Finding]:
        return [self.finding(f) for f in found] if self.files else list(found)


def _odd_texts(ctx: AnalyzerContext, paths: Sequence[str]) -> Iterable[tuple[str, str]]:
    """(path, text as UTF-8) of those of `paths` holding a byte of an odd break; a file in
    another encoding is named apart (`AnalyzerContext.encodings`)."""
    for path in paths:
        if path in ctx.encodings:
            continue
        try:
            data = read_bytes(ctx.root, under_text(ctx.root, path))
        except OSError:
            continue
        if any(odd in data for odd in _ODD):
            yield path, data.decode("utf-8", "replace")
