"""A task that depends on itself is a cycle of one: reported as one and left out of the
plan, like a two-task cycle, in every spec format and every way of writing the dependency.

Before: the parsers dropped the dependency without a word, and the task was planned while a
two-task cycle was reported and left out. Generated: task lists in the Kiro and docs
formats, the self-dependency written in each syntax on a chosen task."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, kiro, select

DOC_SYNTAX = ("{title} (depends on {id})", "{title}\n  Depends: {id}")
KIRO_SYNTAX = ("{title}\n  - Depends on: {id}", "{title}\n  - _Depends: {id}_")


@st.composite
def specs(draw: st.DrawFn) -> tuple[str, str, str]:
    """(format, text, id of the task that names itself)."""
    fmt = draw(st.sampled_from(("docs", "kiro")))
    count = draw(st.integers(1, 5))
    chosen = draw(st.integers(1, count))
    syntax = draw(st.sampled_from(DOC_SYNTAX if fmt == "docs" else KIRO_SYNTAX))
    lines = ["# X", "## Tasks"] if fmt == "docs" else ["# Implementation Plan", ""]
    for number in range(1, count + 1):
        tid = f"T{number}" if fmt == "docs" else f"{number}"
        title = f"task {number}"
        if number == chosen:
            title = syntax.format(title=title, id=tid)
        lines.append(f"- [ ] {tid} {title}" if fmt == "docs" else f"- [ ] {tid}. {title}")
    return fmt, "\n".join(lines) + "\n", f"T{chosen}" if fmt == "docs" else f"{chosen}"


@settings(max_examples=120, deadline=None)
@given(case=specs())
def test_a_self_dependency_is_reported_as_a_cycle_and_left_out(case):
    fmt, text, tid = case
    parsed = (docspec if fmt == "docs" else kiro).parse(text, "spec.md")
    plan = select.waves(parsed.tasks)
    assert tid not in plan.order
    assert {t.id for t in parsed.tasks} - {tid} == set(plan.order)
    task = next(t for t in parsed.tasks if t.id == tid)
    said = [d for d in plan.diagnostics if d.message.startswith(f"dependency cycle {tid} → {tid}")]
    assert [(d.file, d.line) for d in said] == [(task.file, task.line)]
    assert select.next_task(parsed.tasks) is None or select.next_task(parsed.tasks).id != tid
