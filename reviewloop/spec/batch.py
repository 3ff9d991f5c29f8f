"""Which tasks a batch may start now: the first wave, counting what is merged as done.

A batch runs each task on its own branch, and a task's tick lands in the target branch
only when its pull request merges. So "done" for a batch is the union of two views of the
same spec: the checkout's (the tasks file here) and the target ref's (the tasks file as
merged). A task ticked in either is done; the eligible tasks are then the first wave
`select.waves` computes, in file order, cut to `limit`. A task with a run waiting for a
decision (its approval, or a landing refused) is left out of the wave with the reason: a
second run would implement it again and pay for it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reviewloop.spec.model import Diagnostic, Task, TaskStatus
from reviewloop.spec.select import waves


@dataclass(frozen=True)
class Wave:
    """The tasks a batch may start now; `held` are eligible ones left out by `limit`,
    `waiting` eligible ones left out because a run of theirs waits for a decision (id, why),
    `unstartable` not-done ones no run can start as things are (id, why and the fix: a task
    only in the uncommitted spec), `left_out` not-done ones in or waiting on a dependency
    cycle (the diagnostics say which)."""

    tasks: tuple[Task, ...] = ()
    held: tuple[str, ...] = ()
    waiting: tuple[tuple[str, str], ...] = ()
    unstartable: tuple[tuple[str, str], ...] = ()
    remaining: int = 0  # not-done, non-optional leaves, this wave's and those a cycle left out
    diagnostics: tuple[Diagnostic, ...] = ()
    left_out: tuple[str, ...] = ()

    def stuck(self) -> str | None:
        """Why no run can ever start as the spec and checkout stand (tasks remain that wait
        on no decision, only on a fix), or None: some task may start, every task is done, or
        what is open waits for a run's approval."""
        if self.tasks or self.held or not (self.left_out or self.unstartable):
            return None
        parts = []
        if self.left_out:
            parts.append(f"{len(self.left_out)} in or waiting on a dependency cycle "
                         f"({', '.join(self.left_out)}; fix the dependencies named above)")
        if self.unstartable:
            parts.append(f"{len(self.unstartable)} only in the uncommitted spec "
                         f"({', '.join(tid for tid, _ in self.unstartable)}; commit it)")
        return (f"No task can start, and none will until the spec is fixed: of "
                f"{self.remaining} not done, {' and '.join(parts)}")


def merged_done(tasks: Sequence[Task], done_ids: Iterable[str]) -> tuple[Task, ...]:
    """`tasks` with every id in `done_ids` marked done (ticked in the target ref)."""
    ticked = set(done_ids)
    return tuple(t.model_copy(update={"status": TaskStatus.DONE})
                 if t.id in ticked and not t.is_done else t for t in tasks)


def eligible_wave(tasks: Sequence[Task], *, merged: Iterable[str] = (),
                  limit: int | None = None, waiting: Mapping[str, str] | None = None,
                  unstartable: Mapping[str, str] | None = None) -> Wave:
    """The first wave of not-done leaves, with `merged` ids counted as done and the ids in
    `waiting` and `unstartable` (task id -> why) left out, before `limit` is applied."""
    waiting, unstartable = waiting or {}, unstartable or {}
    plan = waves(merged_done(tasks, merged))
    by_id = {t.id: t for t in tasks}
    first = tuple(tid for tid in (plan.waves[0] if plan.waves else ())
                  if tid not in waiting and tid not in unstartable)
    chosen = first if limit is None else first[:limit]
    return Wave(tasks=tuple(by_id[tid] for tid in chosen),
                held=tuple(first[len(chosen):]),
                remaining=len(plan.order) + len(plan.left_out),
                waiting=tuple((tid, waiting[tid]) for tid in plan.order if tid in waiting),
                unstartable=tuple(unstartable.items()),
                diagnostics=plan.diagnostics, left_out=plan.left_out)


def github_matrix(wave: Wave) -> dict:
    """The wave as a GitHub Actions matrix, ready for `fromJSON()`."""
    return {"include": [{"task": t.id, "title": t.title} for t in wave.tasks]}
