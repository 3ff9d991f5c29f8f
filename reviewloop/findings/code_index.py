"""Where a finding is on its code: a file's lines whitespace-normalised once, the window a
location hash covers and its occurrence among identical windows (`schema.location_hash`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

MIN_WINDOW = 16  # non-whitespace characters a location hash covers at least (`}` alone is not)
MAX_WINDOW_LINES = 3  # lines after the flagged ones it may borrow to get there


def code_snippet(code_lines: Sequence[str], start_line: int, end_line: int) -> str:
    """Lines start..end (1-based, inclusive) with all whitespace removed.

    Removed rather than collapsed, so a formatter re-wrapping `f(a, b)` as `f(\n    a, b)`
    or `f(a,b)` leaves the identity alone.
    """
    return "".join("".join(code_lines[start_line - 1:end_line]).split())


class CodeIndex:
    """One file's lines, whitespace-normalised once, for locating many findings in it."""

    def __init__(self, code_lines: Sequence[str]):
        self.compact = ["".join(line.split()) for line in code_lines]
        # the compact lines end to end, and where each starts in it: a window is one slice
        self._text = "".join(self.compact)
        self._offsets = list(accumulate(map(len, self.compact), initial=0))
        self._windows: dict[tuple[int, int], str] = {}

    def window(self, start: int, end: int) -> str:
        """Lines start..end, widened by up to `MAX_WINDOW_LINES` following lines until it
        holds `MIN_WINDOW` characters; '' when the range lies beyond the file or is blank."""
        key = (start, end)
        if key not in self._windows:
            self._windows[key] = self._widened(start, end)
        return self._windows[key]

    def _widened(self, start: int, end: int) -> str:
        count = len(self.compact)
        if start < 1 or start > count:
            return ""
        first, last = self._offsets[start - 1], min(end, count)
        if last < start or self._offsets[last] == first:
            return ""
        # the fewest following lines (up to MAX_WINDOW_LINES) that bring MIN_WINDOW characters
        last = bisect_left(self._offsets, first + MIN_WINDOW, last,
                           min(end + MAX_WINDOW_LINES, count))
        return self._text[first:self._offsets[last]]

    def occurrence(self, start: int, end: int) -> int:
        """How many windows of the same height start above `start` with the same code."""
        window, height = self.window(start, end), end - start
        if not window or start > len(self.compact):
            return sum(self._widened(n, n + height) == window
                       for n in range(1, min(start, len(self.compact) + 1)))
        # an equal window above starts where this one's code occurs, at a line start above it
        first, count = self._offsets[start - 1], 0
        at = self._text.find(window, 0, first + len(window))
        while at >= 0:
            # the lines starting there: several when blank lines between them are empty
            for n in range(bisect_left(self._offsets, at, 0, start - 1) + 1,
                           bisect_right(self._offsets, at, 0, start - 1) + 1):
                count += self._widened(n, n + height) == window
            at = self._text.find(window, at + 1, first + len(window))
        return count
