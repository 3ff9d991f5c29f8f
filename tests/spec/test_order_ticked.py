"""Tasks ticked out of file order hold the order: a done task releases no later task while a
task before it is open (Spec Kit's phases and `[P]` runs, cc-sdd's `(P)` runs), checked on
generated task lists against the rule as docs/specs.md states it."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro, select, speckit
from reviewloop.spec.batch import eligible_wave
from reviewloop.spec.model import Task


@dataclass(frozen=True)
class Item:
    """One generated task: where it stands in the order and whether it is ticked."""

    id: str
    scope: str  # Spec Kit: phase and sub-heading; cc-sdd: the major task ("" for a major)
    parallel: bool
    done: bool


def oracle(items: list[Item]) -> tuple[tuple[str, ...], ...]:
    """The waves straight from the documented rule: every task waits for every task before
    it, except the tasks of its own run (adjacent parallel tasks of the same scope)."""
    run_of: dict[str, int] = {}
    run = 0
    for index, item in enumerate(items):
        before = items[index - 1] if index else None
        joins = (before is not None and item.parallel and before.parallel
                 and item.scope == before.scope)
        run = run if joins else run + 1
        run_of[item.id] = run
    done = {i.id for i in items if i.done}
    found: list[tuple[str, ...]] = []
    while True:
        wave = tuple(item.id for n, item in enumerate(items) if item.id not in done and all(
            u.id in done for u in items[:n] if run_of[u.id] != run_of[item.id]))
        if not wave:
            return tuple(found)
        found.append(wave)
        done.update(wave)


def _box(done: bool) -> str:
    return "x" if done else " "


@st.composite
def speckit_lists(draw: st.DrawFn) -> tuple[str, list[Item]]:
    """A Spec Kit tasks.md of 1-4 phases, each with 0-2 sub-headings, and its items."""
    lines, items = ["# Tasks: Generated", ""], []
    for phase in range(1, draw(st.integers(1, 4)) + 1):
        lines += [f"## Phase {phase}: Build {phase}", ""]
        for part in range(draw(st.integers(0, 2)) + 1):
            if part:
                lines += [f"### Part {phase}.{part}", ""]
            for _ in range(draw(st.integers(0 if part else 1, 4))):
                tid = f"T{len(items) + 1:03d}"
                item = Item(tid, f"{phase}/{part}", draw(st.booleans()), draw(st.booleans()))
                marker = " [P]" if item.parallel else ""
                lines.append(f"- [{_box(item.done)}] {tid}{marker} Build piece {tid.lower()}")
                items.append(item)
            lines.append("")
    return "\n".join(lines), items


@st.composite
def cc_sdd_lists(draw: st.DrawFn) -> tuple[str, list[Item]]:
    """A cc-sdd tasks.md: majors that are leaves or hold 1-3 sub-tasks; `(P)` anywhere."""
    lines, items = ["# Implementation Plan", ""], []
    for major in range(1, draw(st.integers(1, 5)) + 1):
        subs = draw(st.integers(0, 3))
        if not subs:
            item = Item(str(major), "", draw(st.booleans()), draw(st.booleans()))
            items.append(item)
            mark = " (P)" if item.parallel else ""
            lines.append(f"- [{_box(item.done)}] {major}. Major {major}{mark}")
            continue
        children = [Item(f"{major}.{n}", str(major), draw(st.booleans()), draw(st.booleans()))
                    for n in range(1, subs + 1)]
        lines.append(f"- [{_box(all(c.done for c in children))}] {major}. Major {major}")
        for child in children:
            mark = " (P)" if child.parallel else ""
            lines.append(f"- [{_box(child.done)}] {child.id} Piece {child.id}{mark}")
        items += children
    lines.insert(3, "  - _Boundary: generated_")  # read as cc-sdd even without a (P)
    return "\n".join(lines) + "\n", items


def _check(tasks: tuple[Task, ...], items: list[Item]) -> None:
    expected = oracle(items)
    assert select.waves(tasks).waves == expected
    first = eligible_wave(tasks)  # what `plan` offers
    assert tuple(t.id for t in first.tasks) == (expected[0] if expected else ())


@settings(max_examples=300, deadline=None)
@given(speckit_lists())
def test_spec_kit_waves_follow_phases_and_file_order_whatever_is_ticked(case):
    text, items = case
    parsed = speckit.parse(text, "specs/001-a/tasks.md")
    assert [t.id for t in parsed.tasks] == [i.id for i in items]
    _check(parsed.tasks, items)


@settings(max_examples=300, deadline=None)
@given(cc_sdd_lists())
def test_cc_sdd_waves_follow_file_order_whatever_is_ticked(case):
    text, items = case
    parsed = kiro.parse(text, ".kiro/specs/feat/tasks.md")
    assert parsed.dialect == "cc-sdd"
    leaves = [t.id for t in parsed.tasks if not t.children]
    assert leaves == [i.id for i in items]
    _check(parsed.tasks, items)


def test_the_tester_s_spec_offers_setup_only():
    """docs/specs.md: T004 ticked ahead of T002, T003 releases neither T005 (Polish) nor
    anything of its own phase."""
    text = "\n".join([
        "## Phase 1: Setup", "- [ ] T001 Create project structure",
        "## Phase 2: User Story 1 - Albums (Priority: P1)",
        "- [ ] T002 [US1] Create Album model", "- [ ] T003 [US1] Implement AlbumService",
        "- [x] T004 [US1] Register the albums route",
        "## Phase 3: Polish & Cross-Cutting Concerns", "- [ ] T005 Run quickstart.md"])
    tasks = speckit.parse(text, "tasks.md").tasks
    assert select.waves(tasks).waves == (("T001",), ("T002",), ("T003",), ("T005",))
    assert select.blockers(tasks, "T005") == ["T003"]
    # the tick alone changes no task's dependencies: only what they wait on now
    assert {t.id: t.depends_on for t in tasks}["T005"] == ("T004",)


def test_kiro_explicit_dependency_on_a_done_task_stays_met():
    """Plain Kiro has no file order: a `_Depends:_` on a done task is met, whatever that
    task itself depended on."""
    text = ("- [ ] 1. One\n- [x] 2. Two\n  - _Depends: 1_\n- [ ] 3. Three\n"
            "  - _Depends: 2_\n")
    tasks = kiro.parse(text, "tasks.md").tasks
    assert select.waves(tasks).waves == (("1", "3"),)
    assert all(not t.follows for t in tasks)
