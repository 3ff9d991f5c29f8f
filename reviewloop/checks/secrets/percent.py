"""The percent-decoding layer of the secrets scanner: credentials written URL-encoded.

A token in a query string or a URL-quoted config value has its `_` and `-` written `%5F`
and `%2D` (`?state=ghp%5FAbc…`, `xoxb%2D…`), or every byte encoded (`%67%68%70…`), or
encoded twice (`%2567…`): no rule matches it as written. gitleaks decodes percent-encoding
by default, as it decodes base64 and hex; so does this layer, the same way:

* an encoded run is one or more `%XX` in a row; it is decoded only when its bytes are
  printable ASCII (gitleaks' rule: `%0A`, `%FF`, a printf `%02d` stay as written);
* the runs are decoded in place, on their line, and the line is scanned again with every
  layer (so a run decoded to `%67` is decoded again, down to `decoded.MAX_DEPTH`);
* only what a decoded run is part of counts (the text as written is the other layers');
  a hit is reported on the characters of the line as written that it decodes from, so two
  credentials in one URL are two findings, each redacted whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator

from reviewloop.checks.secrets.assignments import Candidate
from reviewloop.checks.secrets.decoded import MAX_DEPTH, described

__all__ = ["percent_candidates", "percent_decoded"]

_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")

# (decoded text, depth) -> the claimed candidates in it: the scanner's own scan
Scan = Callable[[str, int], list[Candidate]]


def percent_candidates(text: str, scan: Scan, depth: int = 0) -> Iterator[Candidate]:
    """A candidate for each secret that a percent-encoded run of `text` is part of, found by
    scanning its lines decoded (`scan`), on the span of `text` it decodes from. The lines
    are scanned together, a blank line apart: one scan of a file, not one a line."""
    if depth >= MAX_DEPTH or "%" not in text:
        return
    decoded = percent_decoded(text)
    if decoded is None:
        return
    plain, origin, hidden = decoded
    for start, end, rule, description, confidence in scan(plain, depth + 1):
        if _touches(hidden, start, end):
            yield origin[start], origin[end], rule, described(description, "percent"), \
                confidence


def percent_decoded(text: str) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """The lines of `text` holding a printable `%XX` run, each with its runs decoded, a
    blank line apart; the offset in `text` of each character of it (and of its end); and
    the spans of it that decoded runs are. None when no run decodes."""
    parts: list[str] = []
    origin: list[int] = []
    hidden: list[tuple[int, int]] = []
    line_end = -1  # the end of the line last added
    at = 0  # where `text` is copied from next, on the line being added
    for run in _RUN.finditer(text):
        raw = bytes.fromhex(run.group().replace("%", ""))
        if not all(32 <= byte < 127 for byte in raw):
            continue
        if run.start() > line_end:  # a new line: finish the last one, start this one
            if line_end >= 0:
                _copy(text, at, line_end, parts, origin)
                _separate(line_end, parts, origin)
            at = text.rfind("\n", 0, run.start()) + 1
            found = text.find("\n", run.end())
            line_end = len(text) if found < 0 else found
        _copy(text, at, run.start(), parts, origin)
        size = len(origin)
        hidden.append((size, size + len(raw)))
        parts.append(raw.decode("ascii"))
        origin += range(run.start(), run.end(), 3)
        at = run.end()
    if line_end < 0:
        return None
    _copy(text, at, line_end, parts, origin)
    origin.append(line_end)
    return "".join(parts), origin, hidden


def _copy(text: str, start: int, end: int, parts: list[str], origin: list[int]) -> None:
    parts.append(text[start:end])
    origin += range(start, end)


def _separate(line_end: int, parts: list[str], origin: list[int]) -> None:
    parts.append("\n\n")
    origin += (line_end, line_end)


def _touches(hidden: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a decoded run is part of `[start, end)` (runs sorted by position)."""
    index = bisect_left(hidden, (end, end))
    return index > 0 and hidden[index - 1][1] > start
