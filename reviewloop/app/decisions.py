"""What `approve` and `reject` check before deciding a run, and declining a run whose approval
could not land: a task another run already landed is not done twice, and a run stopped
after its approval can still be dropped."""

from __future__ import annotations

from pathlib import Path

from reviewloop.errors import ReviewloopError, UserInputError
from reviewloop.git.provenance import read_at
from reviewloop.git.repository import Repository, open_repository
from reviewloop.runs import left
from reviewloop.runs.registry import Registry, RunRecord, run_tree
from reviewloop.spec.loader import parse_tasks


def refuse_done_twice(registry: Registry, root: Path, record: RunRecord) -> None:
    """Refuse approving a run of a task that another run of it has landed since (and that
    is still ticked: one reverted since may be done again)."""
    tree = run_tree(record)
    target = f"refs/heads/{tree.target}" if tree is not None and tree.target else "HEAD"
    repo = open_repository(root)
    for other in registry.list():
        if other.run_id == record.run_id or other.status != "committed" or \
                other.task_id != record.task_id or other.spec != record.spec or \
                not other.commit_sha:
            continue
        try:
            landed = repo.is_ancestor(other.commit_sha, target)
        except ReviewloopError:  # its commit or the branch is gone: nothing to compare
            continue
        if landed and _ticked_at(repo, target, root, record):
            where = tree.branch if tree is not None else record.run_id
            raise UserInputError(
                f"task {record.task_id} is already done: run {other.run_id} landed it as "
                f"{other.commit_sha[:12]}; approving run {record.run_id} would commit a second "
                "implementation of it", where=record.run_id,
                fix=f"reviewloop reject {record.run_id} (or, to have both, merge its branch "
                    f"yourself: git merge {where})")


def _ticked_at(repo: Repository, target: str, root: Path, record: RunRecord) -> bool:
    """Whether the run's task is ticked in its spec as `target` holds it: a landed commit
    reverted since (`git revert`: its box unticked again) is no task done. A spec that
    cannot be read there counts as ticked: the landed commit is then all there is to go by."""
    spec = Path(record.spec)
    spec = spec if spec.is_absolute() else root / spec
    if not spec.is_relative_to(root):
        return True
    text = read_at(repo, target, spec.relative_to(root).as_posix())
    task = parse_tasks(root, spec, text).by_id().get(record.task_id) if text else None
    return task is None or task.is_done


def decline_stopped(registry: Registry, root: Path, record: RunRecord) -> None:
    """Decline a run approved whose commit or landing was refused: nothing lands; its work
    stays on its branch and in its worktree, for `clean` to tell apart."""
    registry.update(record.run_id, status="declined",
                    detail="declined after its approval could not land")
    registry.forget_work(record.run_id)
    left.record(root, record.run_id, run_tree(record))
