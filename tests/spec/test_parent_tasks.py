"""A parent task is the sum of its sub-tasks: `select.open_subtasks` names the open work under
it, and `writeback.mark_done` never ticks a task over an open required sub-task (a parent closes
with its last one, as Kiro closes it). Generated Kiro task trees: nesting, marks, optional
sub-tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import SpecError
from reviewloop.spec import select
from reviewloop.spec.loader import parse_tasks
from reviewloop.spec.model import Task
from reviewloop.spec.writeback import mark_done

MARKS = st.sampled_from([" ", "x", "-"])


@st.composite
def trees(draw: st.DrawFn) -> str:
    """A Kiro tasks.md: top-level tasks, sub-tasks and sub-sub-tasks, some optional."""
    lines = ["# Implementation Plan", ""]
    for top in range(1, draw(st.integers(1, 3)) + 1):
        lines.append(f"- [{draw(MARKS)}] {top}. Task {top}")
        for kid in range(1, draw(st.integers(0, 3)) + 1):
            star = "*" if draw(st.booleans()) and draw(st.booleans()) else ""
            lines.append(f"  - [{draw(MARKS)}]{star} {top}.{kid} Sub {top}.{kid}")
            for grand in range(1, draw(st.integers(0, 2)) + 1):
                lines.append(f"    - [{draw(MARKS)}] {top}.{kid}.{grand} Leaf")
    return "\n".join(lines) + "\n"


def _tasks(text: str) -> list[Task]:
    path = Path("/repo/.kiro/specs/f/tasks.md")
    return list(parse_tasks(Path("/repo"), path, text).tasks)


def _expected_open(tasks: list[Task], task: Task) -> list[str]:
    by_id = {t.id: t for t in tasks}

    def lineage(t: Task) -> list[Task]:
        found = [t]
        while found[-1].parent in by_id:
            found.append(by_id[found[-1].parent])
        return found

    def required(t: Task) -> bool:
        return not any(a.optional for a in lineage(t))

    def unit(t: Task) -> bool:
        return required(t) and not any(k.parent == t.id and not k.optional for k in tasks)

    if not required(task) or unit(task):
        return []
    return [t.id for t in tasks if task in lineage(t)[1:] and unit(t) and not t.is_done]


@settings(max_examples=150, deadline=None)
@given(trees())
def test_open_subtasks_are_the_open_required_leaves_under_a_parent(text: str):
    tasks = _tasks(text)
    for task in tasks:
        assert [t.id for t in select.open_subtasks(tasks, task.id)] == _expected_open(
            tasks, task)


@settings(max_examples=150, deadline=None)
@given(text=trees(), data=st.data())
def test_no_tick_leaves_a_done_task_over_an_open_required_subtask(
        text: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory):
    tasks = _tasks(text)
    task = data.draw(st.sampled_from(tasks))
    path = tmp_path_factory.mktemp("spec") / "tasks.md"
    path.write_text(text)
    open_kids = [k for k in tasks if k.parent == task.id and not k.optional and not k.is_done]

    if open_kids and not task.is_done:
        with pytest.raises(SpecError, match=f"task {task.id} has open sub-tasks"):
            mark_done(path, tasks, task.id)
        assert path.read_text() == text
        return
    mark_done(path, tasks, task.id)
    after = {t.id: t for t in _tasks(path.read_text())}
    before = {t.id: t for t in tasks}
    assert after[task.id].is_done
    for tid, now in after.items():
        if now.is_done and not before[tid].is_done:  # closed by this tick
            assert all(k.is_done for k in after.values()
                       if k.parent == tid and not k.optional)
