"""Which tasks a run can see: a run's worktree starts from your last commit, so a task that
exists only in your uncommitted spec is not there for it to implement.

`run TASK`, `run next` and `run all` ask the same question here, before any run (worktree,
branch, record) is created, and say the reason and the fix instead of failing the run
halfway: `run TASK` refuses such a task, `run next` passes over it to the next that can
start, `run all` and `plan` leave it out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from reviewloop.spec import select
from reviewloop.spec.loader import parse_tasks
from reviewloop.spec.model import Task


def uncommitted(root: Path, spec_file: Path, task_ids: list[str]) -> list[str]:
    """Of `task_ids`, those the spec at HEAD does not have (the whole spec when HEAD has no
    such file). Nothing when there is no HEAD or the spec lies outside the repository."""
    checkout = open_repository(root)
    try:
        rel = spec_file.resolve().relative_to(checkout.root.resolve()).as_posix()
    except ValueError:
        return []
    if checkout.try_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")[0] != 0:
        return []  # no commit yet: the run's worktree cannot start either, and says so
    status, text, _ = checkout.try_git("show", f"HEAD:{rel}")
    committed = {t.id for t in parse_tasks(root, spec_file, text).tasks} if status == 0 \
        else set()
    return [t for t in task_ids if t not in committed]


def next_startable(root: Path, spec_file: Path, tasks: Sequence[Task],
                   skip: Collection[str] = ()) -> tuple[Task | None, list[str]]:
    """`run next`'s task: the first `select.next_task` picks (passing `skip`, the tasks
    waiting for a decision) that is in the committed spec; and the ids of those it passed
    over as only in the uncommitted one, in the order they would have been picked."""
    unseen = set(uncommitted(root, spec_file, [t.id for t in tasks if not t.is_done]))
    passed: list[str] = []
    while (task := select.next_task(tasks, skip={*skip, *passed})) is not None \
            and task.id in unseen:
        passed.append(task.id)
    return task, passed


def reason(spec_file: Path, root: Path, task_id: str) -> tuple[str, str]:
    """Why `task_id` cannot be run, and the fix."""
    shown = _shown(spec_file, root)
    return (f"task {task_id} is only in your uncommitted {shown}: a run starts from your "
            f"last commit, whose spec has no task {task_id}",
            f"commit the spec first (git add -- {shown} && git commit), then run it again")


def refuse_uncommitted(root: Path, spec_file: Path, task_id: str) -> None:
    """Refuse (exit 2) a run of a task the run's worktree would not find in its spec."""
    if uncommitted(root, spec_file, [task_id]):
        why, fix = reason(spec_file, root, task_id)
        raise UserInputError(why, fix=fix)  # `why` names the spec


def _shown(spec_file: Path, root: Path) -> str:
    try:
        return spec_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(spec_file)
