"""The instructions of a Dockerfile by their lines, read as Docker reads them, and the comment
lines that stand apart from any instruction (where hadolint reads its pragmas)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reviewloop.memo import compiled_on_first_use

_escape = compiled_on_first_use(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)
_heredoc = compiled_on_first_use(r"<<(-?)([\"']?)([A-Za-z_][\w-]*)\2")


def comment_view(lines: Sequence[str]) -> list[str]:
    """Each of `lines` (a Dockerfile's) that is a comment line of its own as it is, the rest
    blanked: a comment inside an instruction (between its continuation lines) or a heredoc's
    body is the instruction's text, where hadolint reads no pragma."""
    view = [""] * len(lines)
    for first in instruction_ends(lines):
        if lines[first - 1].lstrip().startswith("#"):
            view[first - 1] = lines[first - 1]
    return view


def instruction_ends(lines: Sequence[str]) -> dict[int, int]:
    """The last line (from 1) of each instruction, by its first: a line ending in the escape
    character (`\\`, or the `# escape=` directive's) goes on, over the comment and empty
    lines Docker skips inside one, and a heredoc (`<<EOF`) runs to its terminator."""
    escape = "\\"
    for line in lines:
        if not line.startswith("#"):
            break
        if found := _escape().match(line):
            escape = found[1]
    ends: dict[int, int] = {}
    index = 0
    while index < len(lines):
        start = index
        if lines[index].strip() and not lines[index].lstrip().startswith("#"):
            index = _end(lines, index, escape)
        ends[start + 1] = index + 1
        index += 1
    return ends


def _end(lines: Sequence[str], index: int, escape: str) -> int:
    """The index of the last line of the instruction that starts at `index`."""
    heredocs = []
    while True:
        heredocs += _heredoc().findall(lines[index])
        if not lines[index].rstrip().endswith(escape):
            break
        index += 1
        while index < len(lines) and (not lines[index].strip()
                                      or lines[index].lstrip().startswith("#")):
            index += 1
        if index >= len(lines):
            return len(lines) - 1
    for dash, _, word in heredocs:
        index += 1
        while index < len(lines) and (lines[index].lstrip("\t") if dash else lines[index]) \
                != word:
            index += 1
    return min(index, len(lines) - 1)
