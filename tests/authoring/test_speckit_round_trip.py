"""Write → read: a task plan written as Spec Kit's tasks.md reads back as the same plan —
the same dependencies (no phase or `[P]` order added), sub-tasks as sub-tasks (not folded
into their parent's title), statuses, optional marks, requirements and details. Plans are
generated: trees of tasks with dependencies on any earlier task that is not an ancestor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.authoring import document
from reviewloop.authoring import phases as ph
from reviewloop.authoring.validate import parse_plan
from reviewloop.spec import select, speckit
from reviewloop.spec.model import Task
from tests.support import drafts

REQUIREMENTS = ("FR-1", "FR-2", "NFR-1")
WORDS = ("store", "todo", "list", "parser", "index", "cache", "report", "schema", "client")
META = document.Meta(name="todo", what="A todo API", model=None, approve_all=False,
                     created="2026-11-23")


@dataclass
class Node:
    id: str
    depth: int
    done: bool
    optional: bool
    title: str
    details: list[str]
    requirements: list[str]
    depends: list[str]


@st.composite
def plans(draw: st.DrawFn) -> str:
    """A plan in the single-document grammar the drafts are written in."""
    nodes: list[Node] = []
    ancestors: dict[str, set[str]] = {}

    def add(task_id: str, depth: int, parents: set[str]) -> None:
        earlier = [n.id for n in nodes if n.id not in parents]
        nodes.append(Node(
            id=task_id, depth=depth, done=draw(st.booleans()), optional=draw(st.booleans()),
            title=" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))),
            details=draw(st.lists(st.sampled_from(WORDS), max_size=2)),
            requirements=draw(st.lists(st.sampled_from(REQUIREMENTS), max_size=2,
                                       unique=True)),
            depends=draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
            if earlier else []))
        ancestors[task_id] = parents

    for top in range(1, draw(st.integers(1, 5)) + 1):
        add(f"T{top}", 0, set())
        for sub in range(1, draw(st.integers(0, 3)) + 1):
            add(f"T{top}.{sub}", 1, {f"T{top}"})
            for leaf in range(1, draw(st.integers(0, 2)) + 1):
                add(f"T{top}.{sub}.{leaf}", 2, {f"T{top}", f"T{top}.{sub}"})
    lines = []
    for node in nodes:
        pad = "  " * node.depth
        box = "[x]" if node.done else "[ ]"
        lines.append(f"{pad}- {box}{'*' if node.optional else ''} {node.id} {node.title}")
        lines += [f"{pad}  - {d}" for d in node.details]
        if node.depends:
            lines.append(f"{pad}  - Depends: {', '.join(node.depends)}")
        if node.requirements:
            lines.append(f"{pad}  - Requirements: {', '.join(node.requirements)}")
    return "\n".join(lines) + "\n"


def _label(requirement: str) -> str:
    return re.sub(r"-(\d+)", lambda m: f"-{int(m.group(1)):03d}", requirement)


def _shape(tasks: tuple[Task, ...] | list[Task], *, labels: bool = False) -> list[tuple]:
    """Each task by its position: what it is, whose sub-task, what it waits for."""
    index = {t.id: i for i, t in enumerate(tasks)}
    return [(t.title, t.status, t.optional, t.details,
             tuple(_label(r) if labels else r for r in t.requirements),
             index.get(t.parent) if t.parent else None,
             tuple(index[c] for c in t.children),
             frozenset(index[d] for d in t.depends_on)) for t in tasks]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_a_written_plan_reads_back_as_the_same_plan(plan: str) -> None:
    written = parse_plan(drafts.REQUIREMENTS, plan)
    assert written.diagnostics == ()
    folder = Path("specs/001-todo")
    text = document.render("speckit", META, {ph.REQUIREMENTS: drafts.REQUIREMENTS,
                                             ph.TASKS: plan}, folder / "tasks.md")[
        folder / "tasks.md"]
    read = speckit.parse(text, "tasks.md")
    assert read.diagnostics == ()
    assert _shape(read.tasks) == _shape(written.tasks, labels=True)
    # and so the order the loop runs them in
    number = {t.id: r.id for t, r in zip(written.tasks, read.tasks, strict=True)}
    for include_optional in (False, True):
        assert select.waves(read.tasks, include_optional=include_optional).waves == tuple(
            tuple(number[i] for i in wave)
            for wave in select.waves(written.tasks, include_optional=include_optional).waves)


def test_the_issue_plan_keeps_an_independent_task_independent() -> None:
    """T2 waits for T1 only; T3 is independent and shares T1's wave; T2.1 is a sub-task."""
    plan = ("- [ ] T1 Scaffold\n- [ ] T2 Store\n  - Depends: T1\n  - [ ] T2.1 Dataclass\n"
            "- [ ] T3 Docs\n")
    text = document.render("speckit", META, {ph.REQUIREMENTS: drafts.REQUIREMENTS,
                                             ph.TASKS: plan}, Path("tasks.md"))[
        Path("tasks.md")]
    by_title = {t.title: t for t in speckit.parse(text, "tasks.md").tasks}
    store, sub = by_title["Store"], by_title["Dataclass"]
    assert set(store.depends_on) == {by_title["Scaffold"].id, sub.id}
    assert by_title["Docs"].depends_on == ()
    assert sub.parent == store.id and store.children == (sub.id,)
