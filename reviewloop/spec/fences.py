"""Where a code fence opened in a task's details ends when its code is not indented.

Model-written specs often hold a fence whose code sits at column 0 inside a task::

    - [ ] 1. Add the parser
      ```python
    def parse(x):
        return x
      ```
    - [ ] 2. Add the CLI

CommonMark (GitHub, markdown-it) ends the list item, and the fence with it, at `def`, so the
closing `  ```` opens a new fence that runs to the end of the file and hides task 2. The
author meant the code to be the fence's, and so the readers take it: a line indented less
than the item's text keeps the fence open ("lazy" code) when the next line that could close
the fence is indented to the item's text, as its opening line is, and no list item (a task
line, a bullet) indented less than the item's text comes before it. Otherwise the item ends
there as CommonMark ends it: a closing line at column 0 may as well open a fence of its own,
and pairing it with the item's would turn the code that follows into prose. A less indented
fence line is never lazy code either.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

_BARE_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*$")  # a fence that can close


class LazyFences:
    """Answers, for one document, where a fence left open by lazy code lines closes.

    The document's closing fences and task lines are indexed on the first question, so a
    document with no lazy code pays nothing and one with many pays a bisection per fence.
    """

    def __init__(self, lines: Sequence[str], item_indent: Callable[[str], int | None]) -> None:
        self._lines = lines
        self._item_indent = item_indent  # a list item's indent, None for another line
        # fence char → (line, length, indent) of each line that could close a fence
        self._closers: dict[str, list[tuple[int, int, int]]] | None = None
        self._items: list[tuple[int, int]] = []  # (line, indent) of every list item

    def closer(self, after: int, fence: str, container: int) -> int | None:
        """The line that closes `fence` after line `after` when it is indented at least to
        `container` (the item's text) and no list item indented less comes first, `after`
        included; else None."""
        closers, items = self._index()
        found = closers.get(fence[0], [])
        at = bisect_right(found, (after, len(self._lines) + 1))
        while at < len(found) and found[at][1] < len(fence):
            at += 1
        if at == len(found) or found[at][2] < container:
            return None
        line = found[at][0]
        item = bisect_left(items, (after, -1))  # line `after` itself included
        while item < len(items) and items[item][0] < line:
            if items[item][1] < container:
                return None
            item += 1
        return line

    def _index(self) -> tuple[dict[str, list[tuple[int, int, int]]], list[tuple[int, int]]]:
        if self._closers is None:
            self._closers = {}
            for number, text in enumerate(self._lines, start=1):
                bare = _BARE_FENCE.match(text)
                if bare is not None:
                    lead = text[:bare.start("fence")]  # a tab counts four, as indent_width's
                    self._closers.setdefault(bare["fence"][0], []).append(
                        (number, len(bare["fence"]), len(lead) + 3 * lead.count("\t")))
                indent = self._item_indent(text)
                if indent is not None:
                    self._items.append((number, indent))
        return self._closers, self._items
