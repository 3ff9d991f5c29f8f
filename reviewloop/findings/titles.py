"""A finding's title: one line of at most `TITLE_LENGTH` characters (`schema.Finding`)."""

from __future__ import annotations

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
