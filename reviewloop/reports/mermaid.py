"""A run's timeline as a Mermaid `gantt` block, for the GitHub job summary (pure).

Mermaid reads a task line as `name :tags, id, start, end`; a name holding `:`, `#`, `;` or a
line break would be read as something else, and a name starting with a keyword (`section`,
`title`, …) as a directive. So every name is reduced to plain characters and starts with its
kind (`gate`, `review`, …), and times are whole milliseconds since the run started
(`dateFormat x`). Reviewer names, gate summaries and fix-group labels are data from the
change: nothing in them can add a line, a section or a link to the diagram.
"""

from __future__ import annotations

import re

from reviewloop.agent.spend import usd
from reviewloop.reports.timeline import Span, Timeline

_UNSAFE = re.compile(r"[^A-Za-z0-9 _.()/$+\-]+")
_FAILED = ("failed", "escalated", "unfinished")
MOST_BARS = 60  # a summary stays readable; the HTML report has every bar


def plain(text: str, most: int = 60) -> str:
    """`text` with only characters no Mermaid gantt line gives a meaning to."""
    cleaned = " ".join(_UNSAFE.sub(" ", text).split())
    return cleaned[:most].strip() or "-"


def bar_name(span: Span) -> str:
    """`review security 1.2s 3456 tok $0.0042`: the kind first, never a keyword."""
    kind = {"fix_group": "fix group", "gate": "gate"}.get(span.kind, "step")
    parts = [kind, plain(span.label, 40), f"{span.duration_s:.1f}s"]
    if span.kind == "review":
        parts[0] = "review"
    if span.tokens:
        parts.append(f"{span.tokens} tok")
    if span.cost_usd:
        parts.append(usd(span.cost_usd))
    if span.status in _FAILED:
        parts.append(span.status)
    return plain(" ".join(parts), 90)


def gantt(line: Timeline, title: str) -> str:
    """The ```mermaid block; "" when the run recorded no timeline."""
    spans = line.spans[:MOST_BARS]
    if not spans:
        return ""
    rows = ["```mermaid", "gantt", f"    title {plain(title)}", "    dateFormat x",
            "    axisFormat %M:%S"]
    section: str | None = None
    for number, span in enumerate(spans, 1):
        name = f"Round {span.round}" if span.round is not None else "Run"
        if name != section:
            rows.append(f"    section {name}")
            section = name
        start = int(span.start_s * 1000)
        end = start + max(int(span.duration_s * 1000), 1)
        tag = "crit" if span.status in _FAILED else "done"
        rows.append(f"    {bar_name(span)} :{tag}, b{number}, {start}, {end}")
    if len(line.spans) > MOST_BARS:
        rows.append("    section More")
        rows.append(f"    {len(line.spans) - MOST_BARS} more bars in the HTML report "
                    f":b0, {int(line.total_s * 1000)}, {int(line.total_s * 1000) + 1}")
    return "\n".join([*rows, "```"])
