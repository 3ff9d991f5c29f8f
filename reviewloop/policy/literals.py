"""One search for the literal parts of a set of patterns: a path holding none of them cannot
match any pattern, and answering it with this search skips the patterns' own expression
(most changed files, for a reviewer's scope or the sensitive-file rule)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def literal_search(longest: Sequence[str]) -> re.Pattern[str]:
    """A search for any of `longest` (each pattern's longest literal part). A part holding
    another is found only where that one is, so only the shorter is searched for."""
    kept = sorted({p for p in longest if not any(q != p and q in p for q in longest)})
    return re.compile("|".join(map(re.escape, kept)) if kept else "(?!)")
