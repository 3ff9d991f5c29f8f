"""Where a quoted string that may hold interpolations ends: Terraform's `"…${…}…"` (and its
`%{…}` directives), Bicep's `'…${…}…'`.

An interpolation may hold strings of its own, and those their own interpolations, however
deep: the string's end is found with a stack of open interpolations a string, not one call
a level (3,000 nested `"${"` in a `.tf` line had ended checkov's reading of every changed
file in a RecursionError).
"""

from __future__ import annotations


def string_end(text: str, at: int, quote: str, openers: tuple[str, ...] = ("${",)) -> int:
    """Where the `quote`d string whose inside starts at `at` closes, or the line it is on
    ends (`\\` escapes the next character; the strings inside an interpolation opened by one
    of `openers` and closed by `}` are skipped whole); `len(text)` when neither comes."""
    depths = [0]  # per string open, innermost last: its interpolations open
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if text.startswith(openers, at):
            depths[-1] += 1
            at += 2
            continue
        if depths[-1]:
            if char == "}":
                depths[-1] -= 1
            elif char == quote:
                depths.append(0)  # a string inside the interpolation
        elif char in (quote, "\n"):
            if len(depths) == 1:
                return at
            depths.pop()  # that inner string ended: back inside the outer's interpolation
        at += 1
    return len(text)
