"""Where a resumed run's steps work: its worktree while its work is uncommitted; once its
commit is saved in the checkpoint, whichever checkout resumes it (landing needs the commit,
never the folder it was made in, which may be gone or on another machine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.git.worktrees import RunTree


def work_root(run_id: str, tree: RunTree, here: Path, *, committed: bool,
              task_id: Callable[[], str]) -> Path:
    """The run's worktree when it is on this machine; else `here` (the checkout resuming)
    when the run's commit is saved; else a clear error naming where the work is."""
    path = Path(tree.path)
    if path.is_dir():
        return path
    if committed:
        return here
    started = tree.started_in
    if started.resolve() != here.resolve():
        raise UserInputError(
            f"run {run_id} works in {tree.path}, a worktree of another checkout "
            f"({started}), and has not committed yet", where=run_id,
            fix=f"resume it where it started: cd {started} && reviewloop resume {run_id}")
    raise UserInputError(
        f"the worktree of run {run_id} is gone: {tree.path}", where=run_id,
        fix="its uncommitted work is lost; `reviewloop clean` forgets it, then run the task "
            f"again (reviewloop run {task_id()})")


def spec_in(tree: RunTree, spec: Path, root: Path) -> Path:
    """The registered spec (a path in the checkout the run started in, perhaps another
    clone's) as the same file under `root`, where the run's steps work now."""
    started = tree.started_in
    full = spec if spec.is_absolute() else started / spec
    try:
        return root / full.resolve().relative_to(started.resolve())
    except ValueError:
        raise UserInputError(f"the spec {spec} is outside the repository {started}",
                             fix="keep the spec inside the repository: the run commits its "
                                 "tick with the task") from None

