"""Which task to work on: by id, the next eligible one, or all of them in dependency waves.

The unit of work is a *leaf*: a task with no required (non-optional) children. A parent
with required children is only a container and is closed by them, so it is never picked
itself. Rules shared by every function here:

* Not done means open, in progress or queued; all three are startable. An in-progress
  task is usually an interrupted run, so it is picked in file order like any other.
* Optional tasks (and everything under an optional parent) are left out unless asked
  for, and a dependency on a left-out task never blocks.
* A dependency on a parent means its leaves. A child inherits its ancestors'
  dependencies, except a parent's (derived) dependency on its own children.
* A dependency on a task that is marked done is met, even when its children are not.
  Only the file order (`Task.follows`) passes through a done task: a task that follows it
  waits for the open tasks it followed, as the order says (a task ticked out of order
  releases no later one).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from reviewloop.errors import TaskSelectionError
from reviewloop.spec.model import Diagnostic, Task, TaskStatus

_LIST_FIX = "list the task ids with `reviewloop tasks`"


def by_id(tasks: Sequence[Task], task_id: str) -> Task:
    """The task named `task_id` (also `T1` for `t1`, `2.` for `2`), or TaskSelectionError."""
    wanted = task_id.strip()
    for task in tasks:
        if task.id == wanted:
            return task
    loose = wanted.rstrip(".").casefold()
    matches = [t for t in tasks if t.id.casefold() == loose]
    if len(matches) == 1:
        return matches[0]
    ids = [t.id for t in tasks]
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.5)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise TaskSelectionError(f"no task {wanted!r} in the spec{hint}", fix=_LIST_FIX)


def next_task(tasks: Sequence[Task], *, skip: Collection[str] = ()) -> Task | None:
    """The first not-done, non-optional leaf in file order whose dependencies are done and
    whose id is not in `skip` (a task with a run waiting for a decision)."""
    graph = _Graph(tasks, include_optional=False)
    done = graph.done_by_status()
    return next((graph.by_id[u] for u in graph.units()
                 if u not in skip and graph.eligible(u, done)), None)


@dataclass(frozen=True)
class Plan:
    """Leaves that are not done yet, layered so that each wave only needs earlier ones.

    `order` is the waves flattened; `diagnostics` name unknown dependencies and cycles.
    Tasks in a cycle, and tasks that wait on one, are in neither `waves` nor `order`: they
    are `left_out` (not done, and never startable until the spec is corrected), and
    `cycles` are the diagnostics that say why.
    """

    waves: tuple[tuple[str, ...], ...] = ()
    order: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    left_out: tuple[str, ...] = ()
    cycles: tuple[Diagnostic, ...] = ()


def waves(tasks: Sequence[Task], *, include_optional: bool = False) -> Plan:
    """Layer the not-done leaves in dependency order (Kahn), file order within a wave."""
    graph = _Graph(tasks, include_optional=include_optional)
    done = graph.done_by_status()
    pending = [u for u in graph.units() if not done(u)]
    edges = {u: graph.blockers(u, done) for u in pending}
    layers: list[tuple[str, ...]] = []
    placed: set[str] = set()
    while True:
        layer = tuple(u for u in pending
                      if u not in placed and all(d in placed for d in edges[u]))
        if not layer:
            break
        layers.append(layer)
        placed.update(layer)
    stuck = [u for u in pending if u not in placed]
    cycles = tuple(_cycle_diagnostics(graph, stuck, edges))
    diagnostics = (*graph.unknown_dependencies(), *graph.ancestor_dependencies(), *cycles)
    return Plan(waves=tuple(layers), order=tuple(u for layer in layers for u in layer),
                diagnostics=tuple(diagnostics), left_out=tuple(stuck), cycles=cycles)


def wave_of(plan: Plan) -> dict[str, int]:
    """Task id → its 1-based wave number."""
    return {tid: number for number, layer in enumerate(plan.waves, start=1) for tid in layer}


def newly_eligible(tasks: Sequence[Task], done_id: str) -> list[Task]:
    """Tasks that were blocked while `done_id` was open and are eligible once it is done.

    `done_id` may already be marked done in `tasks`; "before" always treats it (and its
    ancestors) as open, "after" as done together with each parent it closes.
    """
    graph = _Graph(tasks, include_optional=False)
    if done_id not in graph.by_id:
        return []
    chain = {done_id, *graph.ancestors(done_id)}
    before_status = {t.id: (TaskStatus.OPEN if t.id in chain else t.status) for t in tasks}
    after_status = dict(before_status)
    for tid in graph.closed_by(done_id, before_status):
        after_status[tid] = TaskStatus.DONE

    def before(tid: str) -> bool:
        return before_status[tid] is TaskStatus.DONE

    def after(tid: str) -> bool:
        return after_status[tid] is TaskStatus.DONE

    return [graph.by_id[u] for u in graph.units()
            if u not in chain and graph.eligible(u, after) and not graph.eligible(u, before)]


def blockers(tasks: Sequence[Task], task_id: str) -> list[str]:
    """The not-done tasks `task_id` still waits on (empty: it may start)."""
    graph = _Graph(tasks, include_optional=True)
    if task_id not in graph.by_id:
        return []
    return graph.blockers(task_id, graph.done_by_status())


def open_subtasks(tasks: Sequence[Task], task_id: str) -> list[Task]:
    """The not-done required sub-tasks (leaves) of `task_id`: the work a parent stands for,
    which closes it when the last of them lands (empty for a leaf)."""
    graph = _Graph(tasks, include_optional=False)
    if task_id not in graph.by_id or graph.is_unit(task_id):
        return []
    done = graph.done_by_status()
    return [graph.by_id[u] for u in graph.units_under(task_id) if not done(u)]


class _Graph:
    """The parent/child and dependency structure of one task list."""

    def __init__(self, tasks: Sequence[Task], *, include_optional: bool):
        self.tasks = tuple(tasks)
        self.by_id = {t.id: t for t in self.tasks}
        self.include_optional = include_optional
        self.kids: dict[str, list[str]] = {t.id: [] for t in self.tasks}
        for task in self.tasks:
            if task.parent in self.kids and task.parent != task.id:
                self.kids[task.parent].append(task.id)

    def done_by_status(self) -> Callable[[str], bool]:
        return lambda tid: self.by_id[tid].is_done

    def ancestors(self, tid: str) -> list[str]:
        found: list[str] = []
        parent = self.by_id[tid].parent
        while parent in self.by_id and parent not in found and parent != tid:
            found.append(parent)
            parent = self.by_id[parent].parent
        return found

    def optional(self, tid: str) -> bool:
        return any(self.by_id[a].optional for a in (tid, *self.ancestors(tid)))

    def included(self, tid: str) -> bool:
        return self.include_optional or not self.optional(tid)

    def is_unit(self, tid: str) -> bool:
        return self.included(tid) and not any(
            not self.by_id[k].optional for k in self.kids[tid])

    def units(self) -> list[str]:
        return [t.id for t in self.tasks if self.is_unit(t.id)]

    def units_under(self, tid: str, seen: frozenset[str] = frozenset()) -> list[str]:
        if tid in seen or not self.included(tid):
            return []
        if self.is_unit(tid):
            return [tid]
        found: list[str] = []
        for kid in self.kids[tid]:
            found.extend(self.units_under(kid, seen | {tid}))
        return found

    def raw_dependencies(self, unit: str) -> Iterable[tuple[str, Task]]:
        """(dependency id, task that declares it) for a unit and its ancestors."""
        lineage = [unit, *self.ancestors(unit)]
        for holder in lineage:
            for dep in self.by_id[holder].depends_on:
                if dep == holder:  # a task waiting on itself: a cycle of one
                    yield dep, self.by_id[holder]
                    continue
                if dep in lineage or (dep in self.by_id and holder in self.ancestors(dep)):
                    continue  # a parent waits on its own children, not the other way round
                yield dep, self.by_id[holder]
        nearest = next((a for a in lineage[1:] if self.is_unit(a)), None)
        if nearest is not None:  # an optional child of a leaf comes after that leaf
            yield nearest, self.by_id[unit]

    def blockers(self, unit: str, done: Callable[[str], bool] | None = None) -> list[str]:
        """The units `unit` waits on; with `done`, only those not done yet."""
        done = done or (lambda tid: False)
        found: list[str] = []
        pending = list(self.raw_dependencies(unit))
        passed: set[str] = set()
        while pending:
            dep, holder = pending.pop(0)
            if dep not in self.by_id:
                continue
            # a parent ticked over open sub-tasks still stands for them: they will run, and
            # what depends on the parent waits for them as for an open parent's
            open_leaves = [leaf for leaf in self.units_under(dep) if not done(leaf)]
            if done(dep) and not open_leaves:
                if dep in holder.follows and dep not in passed:  # the order goes through it
                    passed.add(dep)
                    pending += [(prior, self.by_id[dep]) for prior in self.by_id[dep].follows]
                continue
            for leaf in open_leaves:
                if (leaf != unit or dep == holder.id) and leaf not in found:
                    found.append(leaf)
        return found

    def eligible(self, unit: str, done: Callable[[str], bool]) -> bool:
        return not done(unit) and not self.blockers(unit, done)

    def closed_by(self, tid: str, status: dict[str, TaskStatus]) -> list[str]:
        """`tid` and each parent whose last required child it closes (as write-back does)."""
        closed = [tid]
        current = self.by_id[tid]
        while not current.optional and current.parent in self.by_id:
            parent = current.parent
            required = [k for k in self.kids[parent] if not self.by_id[k].optional]
            if not all(k in closed or status[k] is TaskStatus.DONE for k in required):
                break
            closed.append(parent)
            current = self.by_id[parent]
        return closed

    def unknown_dependencies(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for task in self.tasks:
            for dep in task.depends_on:
                if dep not in self.by_id:
                    message = f"task {task.id} depends on unknown task {dep}"
                    found.append(Diagnostic(file=task.file, line=task.line, message=message))
        return found

    def ancestor_dependencies(self) -> list[Diagnostic]:
        """A sub-task naming a task it is part of: that task already waits for it, so the
        dependency is ignored (`raw_dependencies`), and said."""
        return [Diagnostic(file=task.file, line=task.line, message=f"{task.id} depends on "
                           f"{dep}, a task it is part of, which already waits for it (ignored)")
                for task in self.tasks for dep in task.depends_on
                if dep != task.id and dep in self.ancestors(task.id)]


def _cycle_diagnostics(graph: _Graph, stuck: list[str],
                       edges: dict[str, list[str]]) -> list[Diagnostic]:
    """Name each cycle among the stuck tasks, then the tasks that only wait on one."""
    reach = {u: _reachable(u, edges) for u in stuck}
    in_cycle = [u for u in stuck if u in reach[u]]
    found: list[Diagnostic] = []
    reported: set[str] = set()
    for start in in_cycle:
        if start in reported:
            continue
        members = [u for u in in_cycle if u in reach[start] and start in reach[u]]
        reported.update(members)
        task = graph.by_id[start]
        loop = " → ".join(_cycle_path(start, edges, set(members)))
        found.append(Diagnostic(file=task.file, line=task.line,
                                message=f"dependency cycle {loop} (each waits on the next); "
                                        "left out of the plan"))
    for tid in stuck:
        if tid not in reported:
            task = graph.by_id[tid]
            cycle = ", ".join(u for u in in_cycle if u in reach[tid])
            found.append(Diagnostic(file=task.file, line=task.line,
                                    message=f"task {tid} waits on the dependency cycle of "
                                            f"{cycle}; left out of the plan"))
    return found


def _cycle_path(start: str, edges: dict[str, list[str]], members: set[str]) -> list[str]:
    """A shortest walk start → … → start inside one cycle (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in edges.get(node, ()):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt in members and nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return [start, start]


def _reachable(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen
