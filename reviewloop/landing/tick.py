"""Which task of your branch's spec a landed run ticks: the run's own — the task with its id
and title. A spec renumbered or retitled while the run waited never gets another task ticked,
and a spec moved or deleted is said with its path."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import BlockingOutcome
from reviewloop.spec import writeback
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Task


@dataclass(frozen=True)
class RunTask:
    """The task a run did, as the run knows it, and where its commit waits."""

    run_id: str
    task_id: str
    title: str  # "" when unknown (the id alone then names it)
    tasks_file: str  # relative to the repository
    branch: str  # the branch the commit lands on
    run_branch: str  # the run's own branch, holding the commit


def retick(run: RunTask) -> Callable[[bytes | None], bytes]:
    """The tasks file as on the user's branch, with the run's task ticked: a replayed commit
    never brings back another task's mark (or conflicts with one)."""
    def compute(text: bytes | None) -> bytes:
        if text is None:
            raise _refused(run, f"the spec {run.tasks_file} is no longer on {run.branch} "
                                "(moved or deleted since the run started)")
        with tempfile.TemporaryDirectory(prefix="reviewloop-tick-") as tmp:
            path = Path(tmp) / run.tasks_file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
            spec = load_spec(Path(tmp), path)
            task = find(run, spec.tasks)
            writeback.mark_done(spec.tasks_file, spec.tasks, task.id)
            return spec.tasks_file.read_bytes()
    return compute


def find(run: RunTask, tasks: tuple[Task, ...] | list[Task]) -> Task:
    """The run's task in `tasks`: its id with its title; else the one task with its title."""
    by_id = next((t for t in tasks if t.id == run.task_id), None)
    if by_id is not None and (not run.title or _same(by_id.title, run.title)):
        return by_id
    titled = [t for t in tasks if run.title and _same(t.title, run.title)]
    if len(titled) == 1:
        return titled[0]
    ran = f"{run.task_id} {run.title}".strip()
    if by_id is None:
        why = f"the spec {run.tasks_file} on {run.branch} has no task {ran}"
    else:
        why = (f"in the spec {run.tasks_file} on {run.branch}, {run.task_id} is now "
               f"\"{by_id.title}\", not the run's task \"{run.title}\"")
    if len(titled) > 1:
        why += f"; {len(titled)} tasks have its title ({', '.join(t.id for t in titled)})"
    raise _refused(run, why)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _refused(run: RunTask, why: str) -> BlockingOutcome:
    return BlockingOutcome(
        f"cannot land run {run.run_id}: {why}, so the task to tick is not known; nothing was "
        f"landed and your branch did not move\n"
        f"  fix: bring the commit in yourself (git merge {run.run_branch}) and tick the task, "
        f"or drop it: reviewloop reject {run.run_id}")
