"""Names in `reviewloop stats`' and `reviewloop agents`' tables are shown as written, never
read as Rich markup: a reviewer named `review-a[/]b` crashed `agents` (MarkupError, exit 3),
`review-[red]x` was listed as `review-x`, `[link=…]` made a terminal hyperlink, and stats'
`![a](…)` lost its `[a]`.

Generated (hypothesis, derandomized): names of words and Rich's markup characters and tags.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.cli.agents import agents_table
from reviewloop.cli.stats import _table
from reviewloop.reports.stats import OutcomeRow
from reviewloop.review.definitions import AgentDefinition, AgentSet

PARTS = st.sampled_from(["review-", "a", "x", "[", "]", "/", "[/]", "[red]", "[/red]", "[b]",
                         "[link=https://evil.example]", "[/link]", "![a](https://e.x/a.png)",
                         "\\[", "=", ":", "@", " "])
NAME = st.lists(PARTS, min_size=1, max_size=6).map("".join).filter(lambda n: n.strip())


def _drawn(table) -> str:
    console = Console(width=400, record=True, color_system=None)
    console.print(table)
    return "".join(console.export_text().split())  # compared without spacing or wrapping


@settings(max_examples=80, derandomize=True, deadline=None)
@given(name=NAME, reviewer=NAME)
def test_stats_shows_names_as_written(name: str, reviewer: str) -> None:
    row = OutcomeRow(name=name, findings=2, fixed=1, reviewers=[reviewer])
    drawn = _drawn(_table("Rules", [row], True))
    assert "".join(name.split()) in drawn and "".join(reviewer.split()) in drawn


@settings(max_examples=80, derandomize=True, deadline=None)
@given(name=NAME)
def test_agents_shows_a_reviewer_s_name_as_written(name: str) -> None:
    agent = AgentDefinition(name=name, prompt="Check it.", model="[red]m[/red]")
    drawn = _drawn(agents_table(AgentSet(agents=(agent,)), Path("/nowhere")))
    assert "".join(name.split()) in drawn and "[red]m[/red]" in drawn
