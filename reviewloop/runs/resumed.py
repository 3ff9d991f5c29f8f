"""Where a resumed run's steps work: its worktree while its work is uncommitted; once its
commit is saved in the checkpoint, whichever checkout resumes it (landing needs the commit,
never the folder it was made in, which may be gone or on another machine). A worktree that
is not on this machine is rebuilt in this clone from the work the store keeps (`runs.carry`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from reviewloop.errors import StoreDamaged, UserInputError
from reviewloop.git import carry, discarded
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.implement.implementer import RUNNING
from reviewloop.runs.registry import RunRecord, RunStore, run_dir, run_tree
from reviewloop.sandbox import tether


class Relocated(NamedTuple):
    """Where a resumed run works now, and how it came there."""

    tree: RunTree
    how: str  # what a notice says happened


def rebuilt(store: RunStore, record: RunRecord, checkout: Repository, *,
            committed: bool) -> Relocated | None:
    """When the run's worktree is not where it was: moved with this checkout, it is
    registered where it is now; else, when the store keeps its work, that work is unpacked
    into this clone and the run folder's files written into this clone's; unless the run's
    commit is saved (landing needs only that commit, now in this clone's objects too), the
    worktree made again in this clone and registered as where the run works now. The new
    tree; None when none was made. Nothing of the clone's own checkout is written."""
    tree = run_tree(record)
    if tree is None or Path(tree.path).is_dir():
        return None
    moved = carry.moved_along(checkout, record.run_id, tree)
    if moved is not None:
        _register(store, record, tree, moved, checkout.root)
        return Relocated(moved, f"Found run {record.run_id}'s worktree moved with its checkout")
    packed = store.work(record.run_id)
    if packed is None:  # a run of a reviewloop that kept no work: `work_root` says so
        return None
    if not carry.has_commit(checkout, packed.base):
        if committed:  # a pushed commit lands without it, as before
            return None
        raise UserInputError(
            f"run {record.run_id} started from commit {packed.base[:12]}, which this clone "
            "does not have", where=str(checkout.root),
            fix=f"fetch it (git fetch --all, or git fetch origin {packed.base}; a shallow CI "
                f"checkout needs fetch-depth: 0), then `reviewloop resume {record.run_id}`")
    carry.unpack(checkout, packed)
    folder = run_dir(checkout.root, record.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    carry.write_run_files(checkout, packed, folder)
    if committed:
        return None
    new = carry.rebuild(checkout, record.run_id, tree, packed)
    _register(store, record, tree, new, checkout.root)
    return Relocated(new, f"Rebuilt run {record.run_id}'s worktree from the run store")


# Steps that wait on a human: the worktree may hold their edits (`approve` judges them)
AT_A_HUMAN = frozenset({"present", "commit", "land"})


def put_back(store: RunStore, run_id: str, repo: Repository, run_dir: Path,
             next_nodes: tuple[str, ...]) -> list[str]:
    """A run stopped inside a step (killed, crashed, its model failed) resumes that step from
    the work it started from, in the clone that started it too: an implementer command of
    the dead runner still running is stopped first (`sandbox.tether`), then the run's
    worktree `repo` is made what the store saved before the step (`git.carry.put_back`), so
    what the stopped attempt wrote is discarded, as a rebuild in another clone leaves it
    out; what it held is kept first under a ref the message names (`git.discarded`). A run
    waiting on a human is left as it is. What the user is told."""
    said = []
    left = tether.stop_left(run_dir / RUNNING)
    if left is not None:
        said.append(f"Stopped run {run_id}'s implementer command (pid {left}): it was still "
                    "running after the process that drove the run died.")
    if not next_nodes or AT_A_HUMAN & set(next_nodes):
        return said
    packed = store.work(run_id)
    if packed is None:  # a run of a reviewloop that kept no work
        return said
    step = ", ".join(next_nodes)
    back = carry.put_back(repo, packed, run_id, step)
    if back.kept is not None:
        listed = f": {', '.join(back.paths)}" if back.paths else " (its commit)"
        said.append(f"Discarded what the stopped {step} step wrote in run {run_id}'s worktree "
                    f"(that step starts again from the run's last saved work){listed}. Kept "
                    f"first as {back.kept}: {discarded.restore_hint(back.kept)}.")
    return said


def _register(store: RunStore, record: RunRecord, old: RunTree, new: RunTree,
              root: Path) -> None:
    """The run works in `new` from now on, its spec the same file under `root`."""
    spec = spec_in(old, Path(record.spec), root)
    store.relocate(record.run_id, spec=str(spec),
                   options={**record.options, "worktree": new.model_dump(mode="json")})


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



def no_checkpoint(record: RunRecord) -> StoreDamaged:
    """A registered run the checkpoint store has nothing of. A run stopped (Ctrl-C, a
    crash) before its first step was saved has none and never had: said first, since that
    is the common case; else the store was deleted, replaced or repaired."""
    stopped = record.status in ("interrupted", "running")  # running: its process died
    cause = ("it stopped before its first step was saved (nothing of it to resume), or "
             "checkpoints.sqlite was deleted or replaced since" if stopped else
             "checkpoints.sqlite was deleted or replaced (or lost this run in a repair)")
    again = (f"`reviewloop clean {record.run_id}` forgets the run and "
             f"`reviewloop run {record.task_id}` starts the task again")
    batch = "`reviewloop run all` abandons it and runs its task afresh; "
    return StoreDamaged(
        f"run {record.run_id} has no checkpoint in the store: {cause}", where=record.run_id,
        fix=f"{batch}{again} (if you moved the checkpoint file, put it back instead)" if stopped
        else f"if you moved the checkpoint file, put it back; otherwise {again}")
