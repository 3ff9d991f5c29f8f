"""Source map v3 `mappings`, decoded: where each piece of generated code came from.

Pure. Only what the coverage check needs: for each generated line, the segments that map
(generated column → source index, original line); names and original columns are dropped.
"""

from __future__ import annotations

from typing import NamedTuple

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_VALUE = {char: index for index, char in enumerate(_BASE64)}


class Segment(NamedTuple):
    """One mapped segment: 0-based generated line and column, source index, 1-based line."""

    line: int
    column: int
    source: int
    original_line: int


def decode_vlq(text: str) -> list[int]:
    """The signed integers of one base64 VLQ string (`AAAA` → [0, 0, 0, 0])."""
    values, shift, value = [], 0, 0
    for char in text:
        digit = _VALUE.get(char)
        if digit is None:
            raise ValueError(f"not a base64 VLQ character: {char!r}")
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        shift, value = 0, 0
    return values


def segments(mappings: str) -> list[Segment]:
    """Every segment of `mappings` that names a source (1-field segments map nothing)."""
    found = []
    source = original = 0
    for line, group in enumerate(mappings.split(";")):
        column = 0
        for field in group.split(","):
            if not field:
                continue
            values = decode_vlq(field)
            column += values[0]
            if len(values) >= 4:
                source += values[1]
                original += values[2]
                found.append(Segment(line, column, source, original + 1))
    return found
