"""The shape of a Mermaid gantt block as reviewloop writes it (`reports.mermaid`): every line
one Mermaid's gantt grammar reads one way only."""

from __future__ import annotations

import re

HEADER = ["```mermaid", "gantt"]
# Every line the block may hold: the directives, a section, a bar. A bar's name holds no
# `:` `#` `;` or line break and starts with its kind, never a keyword.
SHAPES = [re.compile(p) for p in (
    r"    title [A-Za-z0-9 _.()/$+\-]+",
    r"    dateFormat x",
    r"    axisFormat %M:%S",
    r"    section (Round \d+|Run|More)",
    r"    (step|gate|review|fix group) [A-Za-z0-9 _.()/$+\-]+ :(done|crit), b[1-9]\d*, \d+, \d+",
    r"    \d+ more bars in the HTML report :b0, \d+, \d+")]
KEYWORDS = ("title", "section", "dateFormat", "axisFormat", "tickInterval", "excludes",
            "includes", "todayMarker", "weekday", "weekend", "click", "accTitle", "accDescr",
            "inclusiveEndDates", "topAxis")


def check_shape(block: str) -> list[tuple[int, int]]:
    """Every line's shape, and each bar's (start, end) in milliseconds."""
    lines = block.split("\n")
    assert lines[:2] == HEADER and lines[-1] == "```"
    bars = []
    for line in lines[2:-1]:
        assert any(shape.fullmatch(line) for shape in SHAPES), line
        assert not line.strip().startswith(KEYWORDS) or line.split()[0] in (
            "title", "dateFormat", "axisFormat", "section"), line
        if ":" in line and " :" in line:
            start, end = (int(n) for n in line.rsplit(",", 2)[-2:])
            assert end > start, line
            bars.append((start, end))
    return bars
