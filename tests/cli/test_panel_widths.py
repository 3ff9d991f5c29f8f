"""The panel's findings table shows every column whatever the paths are like. A location is
drawn whole on one line while it is short; a deep path used to take the whole width, and
the title, reporter and id columns were drawn zero characters wide (rich's ellipsis not even
shown). Over generated paths, titles and terminal widths, every finding's id and every word
of its title is on screen, and no line is wider than the terminal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.cli.panel import findings_table
from reviewloop.findings.schema import Finding

PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=40)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    out = []
    for n in range(draw(st.integers(1, 4))):
        path = "/".join(draw(st.lists(PART, min_size=1, max_size=12))) + ".py"
        out.append(Finding(
            severity=draw(st.sampled_from(["must_fix", "should_fix", "nit"])), file=path,
            start_line=n + 1, end_line=n + 1, rationale="r", confidence=0.9,
            title=" ".join(draw(st.lists(WORD, min_size=1, max_size=8))),  # < 120 chars
            agent=draw(st.sampled_from(["review-security", "review-test-quality"]))))
    return out


@settings(max_examples=150, deadline=None)
@given(rows=findings(), width=st.integers(80, 200))
def test_every_column_of_every_finding_is_on_screen(rows: list[Finding], width: int) -> None:
    console = Console(record=True, width=width, color_system=None)
    console.print(findings_table(rows, title="Remaining findings"))
    text = console.export_text()

    assert max(map(len, text.splitlines())) <= width
    lines = text.splitlines()
    top = next(n for n, line in enumerate(lines) if line.startswith("┏"))
    rule = next(n for n, line in enumerate(lines) if line.startswith("┡"))
    header = " ".join(lines[top + 1:rule])
    for name in ("severity", "where", "title", "reported", "by", "id"):  # no column squeezed
        assert f" {name} " in header, header
    assert "…" not in header, header
    title_width = len(lines[top + 1].split("┃")[3]) - 2
    for finding in rows:
        assert finding.short_id in text, text
        for word in finding.title.split():
            assert word in text or len(word) > title_width, (word, text)  # folded, not cut


def test_a_short_location_stays_on_one_line() -> None:
    row = Finding(severity="must_fix", file="reviewloop/checks/analyzers/eslint.py",
                  start_line=123, end_line=123, rationale="r", confidence=0.9,
                  agent="review-security", title=" ".join(["word"] * 20))
    console = Console(record=True, width=120, color_system=None)
    console.print(findings_table([row]))
    assert "reviewloop/checks/analyzers/eslint.py:123" in console.export_text()
