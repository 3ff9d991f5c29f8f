"""Ticking a task closes the Kiro parents it completes, whoever ticked the task: landing's
tick of a task a human already ticked (`  - [x] 1.2 …`, every sibling done) closes the
parent (`- [ ] 1. …`) as Kiro does, where before it stopped at the ticked task and the
committed spec kept the parent open.

Generated (hypothesis): Kiro task trees three levels deep, each task open, in progress or
done, some sub-tasks optional; the run's task any task of the tree. The oracle is Kiro's
rule, walked independently of `writeback`: the task is done, and each parent on its way up
closes when every required child is done, up to the first that does not. A human's tick of
the run's task before landing's changes nothing of what lands but that tick's own spelling,
and only mark characters ever change."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro
from reviewloop.spec.model import Task, TaskStatus
from reviewloop.spec.writeback import done_bytes

MARKS = {" ": TaskStatus.OPEN, "-": TaskStatus.IN_PROGRESS, "x": TaskStatus.DONE}


@dataclass(frozen=True)
class Node:
    id: str
    mark: str
    optional: bool
    children: tuple[Node, ...]


def _nodes(prefix: str, depth: int) -> st.SearchStrategy[tuple[Node, ...]]:
    """The tasks under `prefix` (the top level when ""), numbered as Kiro numbers them."""
    def level(count: int) -> st.SearchStrategy[tuple[Node, ...]]:
        ids = [f"{prefix}{i}" if not prefix else f"{prefix}.{i}" for i in range(1, count + 1)]
        return st.tuples(*(st.builds(
            Node, st.just(task_id), st.sampled_from(sorted(MARKS)),
            st.booleans() if prefix else st.just(False),
            _nodes(task_id, depth - 1) if depth > 1 else st.just(()))
            for task_id in ids))
    return st.integers(1 if not prefix else 0, 3).flatmap(level)


def _render(nodes: tuple[Node, ...], indent: int = 0) -> str:
    lines = []
    for node in nodes:
        star = "*" if node.optional else ""
        dot = "." if "." not in node.id else ""
        lines.append(f"{'  ' * indent}- [{node.mark}]{star} {node.id}{dot} Task {node.id}\n")
        lines.append(_render(node.children, indent + 1))
    return "".join(lines)


def _walk(nodes: tuple[Node, ...]) -> list[Node]:
    return [n for node in nodes for n in (node, *_walk(node.children))]


def _kiro_rule(tree: tuple[Node, ...], task_id: str, done: set[str]) -> set[str]:
    """The done tasks after `task_id` is ticked, by Kiro's rule: each parent on the way up
    closes when all its required children (those not marked `*`) are done; a task marked
    optional closes nothing above it (optional work never completes a parent)."""
    parent_of = {c.id: n for n in _walk(tree) for c in n.children}
    optional = {n.id for n in _walk(tree) if n.optional}
    done = done | {task_id}
    current = task_id
    while current not in optional and current in parent_of:
        parent = parent_of[current]
        if not all(c.id in done for c in parent.children if c.id not in optional):
            break
        done.add(parent.id)
        current = parent.id
    return done


def _done(text: str) -> set[str]:
    return {t.id for t in _tasks(text) if t.status is TaskStatus.DONE}


def _tasks(text: str) -> tuple[Task, ...]:
    return kiro.parse(text, "tasks.md").tasks


@st.composite
def cases(draw: st.DrawFn) -> tuple[tuple[Node, ...], str]:
    tree = draw(_nodes("", 3))
    return tree, draw(st.sampled_from([n.id for n in _walk(tree)]))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_landings_tick_closes_the_parents_it_completes_as_kiro_does(
        case: tuple[tuple[Node, ...], str]) -> None:
    tree, task_id = case
    text = _render(tree)
    assert {t.id for t in _tasks(text)} == {n.id for n in _walk(tree)}  # read as written
    landed = done_bytes(text.encode(), _tasks(text), task_id).decode()
    assert _done(landed) == _kiro_rule(tree, task_id, _done(text))
    # one mark character for each task closed, nothing else
    changed = [(a, b) for a, b in zip(text, landed, strict=True) if a != b]
    assert all(a in " -" and b == "x" for a, b in changed)
    assert len(changed) == len(_done(landed) - _done(text))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_a_humans_tick_of_the_task_lands_as_landings_own(
        case: tuple[tuple[Node, ...], str]) -> None:
    """The human ticked the run's task alone (`[x]`, its parents left as they were): what
    lands is what landing's own tick of the untouched spec lands."""
    tree, task_id = case
    text = _render(tree)
    by_id = {t.id: t for t in _tasks(text)}
    lines = text.split("\n")
    own = lines[by_id[task_id].line - 1]
    lines[by_id[task_id].line - 1] = own.replace(own[own.index("["):own.index("]") + 1],
                                                 "[x]", 1)
    ticked = "\n".join(lines)
    from_human = done_bytes(ticked.encode(), _tasks(ticked), task_id).decode()
    assert from_human == done_bytes(text.encode(), _tasks(text), task_id).decode()
