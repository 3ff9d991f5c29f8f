"""Where a tool ends a line and git does not. git ends a line at LF only; a tool that also
ends one elsewhere (a lone CR, U+2028, …) numbers every finding after such a break past
git's line, where it would be judged outside the change. Each analyzer declares the breaks
its tool counts as `line_breaks` (`registry.Analyzer`): a changed file whose diff shows one
is named as not analysed by it. One that declares nothing is held to every break
`str.splitlines` knows, the widest a tool is likely to count."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reviewloop.checks.analyzers.base import AnalyzerContext

# Python's tokenizer (bandit's ast, ruff): LF, CRLF and CR.
PYTHON = re.compile(r"\r(?!\n)")
# ECMAScript's LineTerminator (ESLint): LF, CR, U+2028, U+2029.
JAVASCRIPT = re.compile(r"\r(?!\n)|[\u2028\u2029]")
# str.splitlines: also VT, FF, the file/group/record separators and NEL.
EVERY = re.compile(r"\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# every character of the above: asked one by one (`in`, a memchr each) before any pattern,
# 0.3 ms on a 1 MB diff where a search of the class took 9 ms, for each analyzer
_ODD = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

REASON = ("it ends lines where git does not (a carriage return alone, or a separator such "
          "as U+2028): its findings here cannot be placed on git's lines")


def declared(analyzer: object) -> re.Pattern[str] | None:
    """The breaks `analyzer` counts that git does not (None: it numbers lines as git)."""
    return getattr(analyzer, "line_breaks", EVERY)


def other_line_breaks(ctx: AnalyzerContext, paths: Sequence[str],
                      breaks: re.Pattern[str]) -> list[str]:
    """Those of `paths` whose diff shows one of `breaks` (one look at the whole diff when
    it holds no character any of them is made of)."""
    if not any(odd in ctx.diff_text for odd in _ODD):
        return []
    found = []
    for path in paths:
        diff = ctx.changes.file(path)
        if diff is not None and breaks.search(diff.text):
            found.append(path)
    return found
