"""A finding's title: one line of at most `TITLE_LENGTH` characters (`schema.Finding`), and
the headline that says what was merged into it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import StringConstraints

TITLE_LENGTH = 120
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                         max_length=TITLE_LENGTH)]


def short_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """A tool's message as a finding title: one line, at most `limit` characters (a rule's
    own description can be longer: gitleaks' fine-grained GitHub token rule is)."""
    line = " ".join(text.split()) or "analyzer finding"
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def with_more(title: str, more: Sequence[str], where: str) -> str:
    """`title (and N more WHERE: a; b)`: the count of the reports merged into a finding
    (`more`, one message a report) and their distinct messages other than `title` (none
    listed when they all say the same: a redacted value, say)."""
    distinct = [m for m in dict.fromkeys(more) if m != title]
    listed = f": {'; '.join(distinct)}" if distinct else ""
    return f"{title} (and {len(more)} more {where}{listed})"
