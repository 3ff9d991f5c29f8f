"""Where ESLint's and ruff's line-scoped markers reach, counted in the tool's own lines.

git ends a line at LF alone; ESLint also at a lone CR, U+2028 and U+2029, ruff (Python's
tokenizer) at a lone CR (`analyzers.line_breaks`). An `eslint-disable-line` covers the
problems that start on ESLint's line of the comment, an `eslint-disable-next-line` those that
start on ESLint's line after the comment's end, a `# noqa` the diagnostics whose noqa line
(ruff's `noqa_line_for`: the end of a multi-line string or a backslash-continued statement,
else the diagnostic's own line) is ruff's line of the comment. Each looks at where the
finding STARTS: a problem spanning lines is not covered by a directive on its last one.

The review read them in git's lines, from the start to the end of the finding:
`return helper();\\u2028// eslint-disable-line no-undef` waived the no-undef plain ESLint
reports (the comment is on ESLint's next line), and so did a `-next-line` above
`ok;\\u2028return helper();` (the session's reviewer, D8). Here the marker's place (its last
character) and the finding's start (its column in git's line, when the tool gives one) are
both put on the tool's lines. A finding without a column on a git line the tool splits may
start on any of its pieces: the marker covers it only if it covers every one (reported
otherwise: an over-report, never a hole).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cache
from itertools import accumulate

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.checks.suppressions.noqa_lines import noqa_lines
from reviewloop.checks.suppressions.script_comments import SPANNED
from reviewloop.findings.schema import Finding
from reviewloop.policy.markers import Marker, Reach

# the owners of markers placed by the finding's first line, in the lines of the tool that
# reported it
STARTING = frozenset({"eslint", "ruff"})
NOQA = "ruff"  # whose line markers go by the noqa line (`noqa_lines`)


@cache
def _declared() -> dict[str, re.Pattern[str]]:
    """Each analyzer that says where its tool ends lines git does not: those breaks."""
    return {name: breaks for name, analyzer in analyzers().items()
            if (breaks := getattr(analyzer, "line_breaks", None)) is not None}


def tool_breaks(marker: Marker, finding: Finding) -> re.Pattern[str] | None:
    """The breaks of the tool whose line-scoped `marker` is asked about its own `finding`;
    None when the marker is not placed in that tool's lines here."""
    if marker.owner not in STARTING or marker.reach not in (Reach.LINES, Reach.ABOVE):
        return None
    return _declared().get(finding.source)


class ToolLines:
    """One file's lines as a tool counts them, over git's (`lines`, without their LF)."""

    def __init__(self, lines: Sequence[str], breaks: re.Pattern[str]):
        self.lines = lines
        self.starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        # NUL joins them: a CR at a git line's end is a lone one (a CRLF's was dropped)
        self.breaks = [m.end() for m in breaks.finditer("\0".join(lines))]
        self.pattern = breaks

    def line(self, offset: int) -> int:
        """The tool's 1-based line of the character at `offset` of the LF-joined text."""
        return bisect_right(self.starts, offset) + bisect_right(self.breaks, offset)

    def offset(self, line: int, column: int) -> int:
        """The offset of 0-based `column` of git's 1-based `line`."""
        return self.starts[line - 1] + column if line <= len(self.starts) else -1

    def starting(self, finding: Finding) -> range:
        """The tool's lines the finding may start on: its column's, else its git line's."""
        line = finding.start_line
        if not 0 < line <= len(self.lines):
            return range(0)
        if finding.start_column:
            at = self.line(self.offset(line, finding.start_column - 1))
            return range(at, at + 1)
        first = self.line(self.offset(line, 0))
        return range(first, self.line(self.offset(line, len(self.lines[line - 1]))) + 1)

    def texts(self) -> list[str]:
        """The tool's lines (for ruff's noqa lines: Python's tokenizer reads these)."""
        return [piece for line in self.lines for piece in self.pattern.split(line)]


def near(marker: Marker, number: int, finding: Finding) -> bool:
    """Whether `marker` on git's line `number` may reach the finding at all: a tool's line
    lies within one git line, so an `eslint-disable-line` must be on the finding's git line,
    a `-next-line` end on it or the one above, a `# noqa` on it or below."""
    start = finding.start_line
    if marker.reach is Reach.ABOVE:  # a `/* */` one read whole ends lines below its own
        return number <= start <= number + marker.text.count(SPANNED) + 1
    return number >= start if marker.owner == NOQA else number == start


def marker_end(lines: Sequence[str], comments: Sequence[str], number: int,
               marker: Marker, tool: ToolLines) -> int | None:
    """The offset of the last character of `marker`, found on line `number` in its comment
    view (`comments`: a `/* */` comment read whole runs on past its line, one character for
    one) or the raw line; None when it is not there."""
    for text in (comments[number - 1] if number <= len(comments) else "",
                 lines[number - 1] if number <= len(lines) else ""):
        at = text.find(marker.text)
        if at >= 0 and marker.text:
            return tool.offset(number, at + len(marker.text) - 1)
    return None


def reaches(marker: Marker, end: int, finding: Finding, tool: ToolLines,
            noqa: Callable[[], dict[int, int]]) -> bool:
    """Whether `marker`, whose last character is at offset `end`, covers the start of
    `finding` in the tool's lines (`noqa`: ruff's noqa lines of its lines, asked once)."""
    at = tool.line(end)
    starting = tool.starting(finding)
    if not starting:
        return False
    if marker.reach is Reach.ABOVE:
        return all(line == at + 1 for line in starting)
    mapped = noqa() if marker.owner == NOQA else {}
    return all(mapped.get(line, line) == at for line in starting)


def tool_noqa_lines(tool: ToolLines) -> dict[int, int]:
    """`noqa_lines` of the file in the tool's lines."""
    return noqa_lines(tool.texts())
