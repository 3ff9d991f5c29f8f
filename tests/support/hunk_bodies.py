"""Hunk bodies for generated diffs: each kind of body line, and the counts its @@ header must
say (shared by the diff readers' property tests)."""

from __future__ import annotations

from collections.abc import Iterable


def hunk_body(kinds: Iterable[str]) -> tuple[list[str], int, int]:
    """(the lines, the old count, the new count) of a hunk made of `kinds`: "+", "-", " "
    (a line of that kind), "\\" (the no-newline marker), "blank" (an empty context line),
    "cr" (an added line ending in CRLF), or a longer text written as it is (its first
    character its kind)."""
    body: list[str] = []
    old = new = 0
    for kind in kinds:
        if kind == "\\":
            body.append("\\ No newline at end of file\n")
        elif kind == "blank":
            body.append("\n")
            old, new = old + 1, new + 1
        elif kind == "cr":
            body.append(f"+line {len(body)}\r\n")
            new += 1
        else:
            body.append(f"{kind}{len(body)}\n" if len(kind) == 1 else f"{kind}\n")
            old += kind[0] != "+"
            new += kind[0] != "-"
    return body, old, new
