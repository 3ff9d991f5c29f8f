"""`run.land = "branch-only"`: the approved commit stays on the run's own branch; your branch
is never written, so the run may start on any branch (or a detached HEAD)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.landing.job import Landed, LandJob, refuse_elsewhere


@dataclass(frozen=True)
class BranchOnlyMode:
    """The run's worktree goes; its branch, holding the commit, is yours to merge: `runs`
    shows it and `clean` never deletes it."""

    name: str = "branch-only"
    writes_your_branch: bool = False
    approval_by_review: bool = False
    needs_remote: bool = False

    def land(self, job: LandJob, commit: str, tree: RunTree, checkout: Repository) -> Landed:
        refuse_elsewhere(job, tree, checkout)
        worktree.remove(checkout, tree, branch=False)
        return Landed(commit)

    def branch_to_push(self, tree: RunTree) -> str | None:
        return tree.branch  # the commit is there, not on your branch

    def kept_branch(self, tree: RunTree) -> str | None:
        return tree.branch

    def outcome(self, run_id: str, commit: str, tree: RunTree | None, run_dir: Path
                ) -> tuple[str, str] | None:
        if tree is None:
            return f"Committed {commit[:12]}", f" (run {run_id})."
        return (f"Committed {commit[:12]}",
                f" on branch {tree.branch} (run {run_id}); run.land = \"branch-only\": your "
                f"branch is unchanged, merge it with `git merge {tree.branch}`.")
