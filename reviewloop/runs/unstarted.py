"""A stopped run that never saved a step (killed, say, between its registration and its
first checkpoint): nothing of it can be resumed, so `run all` gives it up and runs its task
afresh, as it does a run that changed no file.

Its worktree and branch go the way `clean` removes them, and only when they hold nothing but
what the run was made with (the branch at the run's base; the files of that commit, with the
change a manual run carried in): anything more is kept and named. The user's own checkout and
branches are never touched. Decided under the task's claim, so a run another live process is
still starting (its checkpoint not saved yet) is never taken for a dead one.
"""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.config import Settings
from reviewloop.errors import ReviewloopError
from reviewloop.git import worktrees
from reviewloop.git.repository import Repository, open_repository
from reviewloop.runs.claims import TaskRef, claimed
from reviewloop.runs.registry import RunRecord, RunStore, run_tree
from reviewloop.runs.store import checkpointer


def has_checkpoint(settings: Settings, root: Path, run_id: str) -> bool:
    """Whether the checkpoint store holds any step of `run_id`."""
    with checkpointer(settings, root) as saver:
        return saver.get_tuple({"configurable": {"thread_id": run_id}}) is not None


def given_up(settings: Settings, root: Path, store: RunStore, record: RunRecord) -> str | None:
    """Abandon `record`, a run no live process drives, when the store has no checkpoint of
    it, and clear what it made; the sentence saying so. None when it has a checkpoint (it
    resumes). RunInProgress when another process holds its task."""
    tree = run_tree(record)
    task = TaskRef.of(Path(record.spec), tree.started_in if tree else root, record.task_id)
    with claimed(settings, root, task, record.run_id):
        if has_checkpoint(settings, root, record.run_id):
            return None
        kept = _cleared(root, record)
        store.update(record.run_id, status="abandoned", detail=(
            "stopped before its first step was saved: nothing to resume; the task was run "
            "afresh" + (f" ({kept})" if kept else "")))
        store.forget_work(record.run_id)
    said = (f"Task {record.task_id}: run {record.run_id} stopped before its first step was "
            "saved (nothing of it to resume), so it is abandoned and the task starts afresh")
    return f"{said}; {kept}." if kept else f"{said}."


def _cleared(root: Path, record: RunRecord) -> str:
    """Remove the run's worktree and branch when they hold only what the run was made with;
    what was kept and why ("" when nothing was)."""
    tree = run_tree(record)
    if tree is None:
        return ""
    checkout = open_repository(root)
    path = Path(tree.path)
    if os.path.realpath(path.parent) != os.path.realpath(root / worktrees.WORKTREES):
        return f"its worktree {tree.path} is another checkout's: left alone"
    if path.is_dir() and not _as_made(checkout, tree):
        return (f"its worktree {worktrees.WORKTREES}/{path.name} is kept: it holds changes "
                f"the run was not made with (`reviewloop clean --force {record.run_id}` "
                "removes it)")
    head = checkout.try_git("rev-parse", "--verify", "--quiet", f"refs/heads/{tree.branch}")
    moved = head[0] == 0 and head[1].strip() != tree.base
    worktrees.remove(checkout, tree, branch=not moved)
    return (f"its branch {tree.branch} is kept: it holds commits" if moved else "")


def _as_made(checkout: Repository, tree: worktrees.RunTree) -> bool:
    """Whether the worktree's files are the run's base commit's (and a manual run's carried
    change): nothing anyone wrote there since it was made."""
    try:
        now = open_repository(Path(tree.path)).worktree_tree()
    except ReviewloopError:  # not readable as a worktree: kept, never guessed at
        return False
    base = checkout.try_git("rev-parse", "--verify", "--quiet", f"{tree.base}^{{tree}}")
    return now in {base[1].strip() if base[0] == 0 else None, tree.carried_tree}
