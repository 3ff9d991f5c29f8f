"""The job summary's timeline: a Mermaid gantt block whose every line has a shape Mermaid's
gantt grammar reads one way only, whatever the names in it (they come from the change)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.reports.mermaid import MOST_BARS, gantt, plain
from reviewloop.reports.timeline import Span, Timeline
from tests.support.mermaid import check_shape


def span(label: str, *, kind: str = "review", round_no: int | None = 1, start: float = 0.0,
         took: float = 1.0, status: str = "ok", tokens: int = 0,
         cost: float | None = 0.0) -> Span:
    return Span(kind=kind, label=label, round=round_no, start_s=start, duration_s=took,
                status=status, input_tokens=tokens, cost_usd=cost)


def test_a_run_is_a_gantt_of_sections_by_round_with_tokens_and_cost_on_each_bar():
    line = Timeline(total_s=9, spans=[
        span("test", kind="gate", round_no=1, took=2, status="passed"),
        span("review-security", start=2, took=3.5, tokens=2200, cost=0.009),
        span("app.py:3", kind="fix_group", start=6, took=2, status="escalated"),
        span("review-security", round_no=2, start=8, took=0.0004)])
    block = gantt(line, "review review-20260101-000000-ab12")
    bars = check_shape(block)
    assert bars == [(0, 2000), (2000, 5500), (6000, 8000), (8000, 8001)]
    assert "    section Round 1" in block and "    section Round 2" in block
    assert "review review-security 3.5s 2200 tok $0.0090 :done, b2, 2000, 5500" in block
    assert "fix group app.py 3 2.0s escalated :crit, b3" in block


def test_no_timeline_no_block_and_a_long_one_is_cut_with_a_count():
    assert gantt(Timeline(), "x") == ""
    many = Timeline(total_s=100, spans=[span(f"r{n}", start=n) for n in range(MOST_BARS + 5)])
    block = gantt(many, "x")
    check_shape(block)
    assert "5 more bars in the HTML report" in block


hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from([
    "x\n    click b1 href \"javascript:alert(1)\"", "section evil", "title: owned", "a;b#c:d",
    "```\n# heading", "%%{init: {'theme':'dark'}}%%", "<script>alert(1)</script>", ""])


@given(labels=st.lists(hostile, min_size=1, max_size=5), title=hostile,
       kinds=st.sampled_from(["review", "gate", "fix_group", "prepare", "section"]))
def test_no_name_from_the_change_can_add_a_line_a_section_or_a_link(labels, title, kinds):
    line = Timeline(total_s=10, spans=[span(label, kind=kinds, start=n)
                                       for n, label in enumerate(labels)])
    block = gantt(line, title)
    bars = check_shape(block)
    assert len(bars) == len(labels)  # one line a bar: nothing added, nothing split
    assert not any(row.strip().startswith(("click", "%%")) for row in block.splitlines())


@given(st.text(max_size=200))
def test_plain_keeps_only_characters_without_a_meaning(text):
    cleaned = plain(text)
    assert re.fullmatch(r"[A-Za-z0-9 _.()/$+\-]+", cleaned) and len(cleaned) <= 60
