"""A finding's title: one line of at most `TITLE_LENGTH` characters (`schema.Finding`), and
the headline that says what was merged into it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import StringConstraints

TITLE_LENGTH = 120
# a headline lists merged messages up to this length (a minified line can hold hundreds of
# one rule's reports: it would push a comment's rationale past GitHub's size limit), then
# says how many more it does not list
HEADLINE_LENGTH = 4 * TITLE_LENGTH
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
    listed when they all say the same: a redacted value, say), as many as fit in
    `HEADLINE_LENGTH` characters, the rest counted (`…; 3 other messages not listed)`)."""
    distinct = [m for m in dict.fromkeys(more) if m != title]
    head = f"{title} (and {len(more)} more {where}"
    listed: list[str] = []
    for message in distinct:
        left = len(distinct) - len(listed) - 1  # not listed if this one is
        if len(_said(head, [*listed, message], left)) > HEADLINE_LENGTH:
            break
        listed.append(message)
    return _said(head, listed, len(distinct) - len(listed))


def _said(head: str, listed: list[str], left: int) -> str:
    """`head` with the `listed` messages and the count of the `left` ones not listed."""
    unlisted = [f"{left} other message{'s' if left != 1 else ''} not listed"] if left else []
    shown = "; ".join([*listed, *unlisted])
    return f"{head}: {shown})" if shown else f"{head})"
