"""ESLint's columns as the review counts them: in code points of git's line.

ESLint gives a message's `column` in UTF-16 code units of its own line (a character beyond
U+FFFF, an emoji, counts two) and ends lines where git does not (U+2028, U+2029, a lone CR:
`line_breaks`). The suppressor reads a finding's line up to its column in Python's code points
of git's line (`suppressions.suppressor`: where an `eslint-disable` on the finding's line
stands, before or after it), as SARIF's `unicodeCodePoints` does: after twenty emoji, a
disable written after the finding was read as before it, and hid what ESLint reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use

_ASTRAL = compiled_on_first_use("[\U00010000-\U0010ffff]")  # two UTF-16 units each
_ODD = compiled_on_first_use("\r(?!\n)|[\u2028\u2029]")  # ESLint's line ends that git's are not
_TOOL_LINE = compiled_on_first_use("\r\n|[\n\r\u2028\u2029]")


class Columns:
    """The columns of ESLint's messages on the files of one tree (`root`), each file read
    once, and only looked at further when it holds a character that moves them."""

    def __init__(self, root: Path):
        self.root = root
        self._starts: dict[str, tuple[str, list[int]] | None] = {}

    def __call__(self, file: str, message: dict[str, Any]) -> int | None:
        """The 1-based code-point column in git's line of `message`'s start on `file`."""
        column = message.get("column")
        if not isinstance(column, int) or column < 1:
            return None
        known = self._of(file)
        line = message.get("line")
        if known is None or not isinstance(line, int) or not 0 < line <= len(known[1]):
            return column
        text, starts = known
        start = starts[line - 1]
        units = text[start:start + column - 1].encode("utf-16-le")[:2 * (column - 1)]
        inside = len(units.decode("utf-16-le", "replace"))  # code points before it
        git_start = text.rfind("\n", 0, start) + 1
        return start - git_start + inside + 1

    def _of(self, file: str) -> tuple[str, list[int]] | None:
        """`file`'s text and the offset each of ESLint's lines starts at; None when its
        columns are git's code points already (no astral character, no odd line end)."""
        if file not in self._starts:
            try:
                text = under(self.root, file).read_bytes().decode("utf-8", "replace")
            except OSError:
                text = ""
            self._starts[file] = (text, [0, *(m.end() for m in _TOOL_LINE().finditer(text))]) \
                if _ASTRAL().search(text) or _ODD().search(text) else None
        return self._starts[file]
