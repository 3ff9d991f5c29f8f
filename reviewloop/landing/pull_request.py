"""`run.land = "pr"`: the approved commit is pushed to the task's branch on the remote and its
pull request opened (or updated); the pull request's review is the approval, so the run lands
without asking, and an escalated run opens a draft that waits for a human (exit 1).

A pull request is found by its branch, and a push of what is there already does nothing, so
landing one again after a crash neither pushes twice nor opens a second one. It needs the
run's commit, never its worktree: it can be finished from any clone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import BlockingOutcome, ReviewloopError
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.worktrees import RunTree
from reviewloop.landing.job import PR_FILE, Landed, LandJob, spec_rel
from reviewloop.reports.report import RunSummary

ATTENTION_LABEL = "reviewloop: needs attention"


class PullRequestRef(BaseModel):
    """Where a run's pull request is, and what the land step did to it (saved as `PR_FILE`)."""

    model_config = ConfigDict(frozen=True)

    repo: str
    number: int
    url: str
    branch: str
    created: bool  # False: an open pull request of the branch was updated
    draft: bool
    escalated: bool


@dataclass(frozen=True)
class PullRequestMode:
    """Your branch is never written; the remote and a token are checked before any work."""

    name: str = "pr"
    writes_your_branch: bool = False
    approval_by_review: bool = True
    needs_remote: bool = True

    def land(self, job: LandJob, commit: str, tree: RunTree, checkout: Repository) -> Landed:
        return Landed(land_pr(job, commit, tree))

    def branch_to_push(self, tree: RunTree) -> str | None:
        return None  # the pull request is open already

    def kept_branch(self, tree: RunTree) -> str | None:
        return None  # the commit is on the remote's branch

    def outcome(self, run_id: str, commit: str, tree: RunTree | None, run_dir: Path
                ) -> tuple[str, str] | None:
        saved = run_dir / PR_FILE
        if not saved.exists():
            return None  # landed by another process, which reported it
        pull = PullRequestRef.model_validate_json(saved.read_text(encoding="utf-8"))
        verb = "Opened" if pull.created else "Updated"
        kind = " draft" if pull.draft else ""
        label = f', labelled "{ATTENTION_LABEL}"' if pull.escalated else ""
        return (f"{verb}{kind} pull request #{pull.number}",
                f" on {pull.repo}{label}: {pull.url}\n  commit {commit[:12]} on branch "
                f"{pull.branch} (run {run_id}); approve it by reviewing and merging.")


def land_pr(job: LandJob, commit: str, tree: RunTree) -> str:
    """Push the run's commit to the task's branch on the remote and open (or update) its
    pull request; the run's worktree and local branch go, the commit is on the remote."""
    settings = job.settings
    if job.open_pr is None:
        raise BlockingOutcome(f'run.land = "pr" but nothing here opens pull requests; the '
                              f"commit waits on branch {tree.branch}")
    try:
        pull = job.open_pr(
            job.repo,  # the run's worktree: its commit is there even when resumed elsewhere
            commit=commit,
            branch=worktree.branch_name(settings.run.branch, job.task_id, spec_rel(job)),
            base=_pr_base(job, tree), remote=settings.run.remote, run_id=job.run_id,
            summary=job.summary or RunSummary(task_id=job.task_id),
            spec=spec_rel(job) or "the spec", budget_usd=settings.budget_usd)
    except ReviewloopError as exc:
        raise BlockingOutcome(
            f"could not open the pull request: {exc}\n  the commit waits on branch "
            f"{tree.branch} in {tree.started_in}; fix the cause and `reviewloop approve "
            f"{job.run_id}` pushes and opens it again") from None
    (job.run_dir / PR_FILE).write_text(pull.model_dump_json(), encoding="utf-8")
    owner = _owner(tree)
    if owner is not None:  # else the run's worktree and branch are on another machine
        worktree.remove(owner, tree, branch=True)
    return commit


def _pr_base(job: LandJob, tree: RunTree) -> str:
    """The branch the run started from; on a detached HEAD (a CI checkout of a commit), the
    repository's default branch."""
    if tree.target:
        return tree.target
    return (job.checkout or job.repo).default_branch()


def _owner(tree: RunTree) -> Repository | None:
    """The checkout the run's worktree belongs to (another clone's, when this process
    resumed a run another one started); None when that checkout is not on this machine."""
    root = tree.started_in
    return open_repository(root) if (root / ".git").exists() else None
