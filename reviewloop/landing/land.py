"""The land step: the approved commit reaches the user's branch, stays on the run's, or goes
to a pull request (`run.land`: merge, branch-only, pr).

Idempotent: the plan is saved in the run folder before the user's branch moves, so a resume
after a crash anywhere in between applies the same plan again and repairs what is missing.
A pull request is found by its branch, and a push of what is there already does nothing, so
landing one again after a crash neither pushes twice nor opens a second one.

The land step needs the run's commit, never its worktree (which it removes last, and which a
resume from another clone does not have): a merge or a kept branch lands in the checkout the
run started in, a pull request from any clone, since what it needs is on the remote.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from reviewloop.config import Settings
from reviewloop.errors import BlockingOutcome, ReviewloopError
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, is_protected, open_repository
from reviewloop.git.worktrees import LandPlan, RunTree
from reviewloop.reports.report import RunSummary
from reviewloop.spec import writeback
from reviewloop.spec.loader import load_spec

LAND_PLAN = "land.json"
PR_FILE = "pr.json"  # land = "pr": the pull request the land step opened or updated

# run.land = "pr": pushes the commit and opens its pull request (`github.run_pr.land_run`,
# injected by the CLI: the loop does not import the github layer); returns the pull request.
OpenPullRequest = Callable[..., BaseModel]


@dataclass(frozen=True)
class LandJob:
    """Where the approved commit is and where it goes. `repo` is the run's worktree;
    `checkout` is the user's own working tree (None with `run_tree`: nothing to land)."""

    repo: Repository
    settings: Settings
    run_dir: Path
    spec_file: Path | None
    checkout: Repository | None
    run_tree: RunTree | None
    run_id: str
    task_id: str
    summary: RunSummary | None = None
    open_pr: OpenPullRequest | None = None


@dataclass(frozen=True)
class Landed:
    """The landed commit, and the files of yours the landing left as they were."""

    commit: str
    kept: tuple[str, ...] = ()

    @property
    def notices(self) -> list[str]:
        """What the user must be told."""
        return [f"{p} changed in your checkout while landing: your version was kept"
                for p in self.kept]


def land_change(job: LandJob, commit: str) -> Landed:
    """Land the run's commit as `run.land` says."""
    tree, checkout = job.run_tree, job.checkout
    if tree is None or checkout is None:
        return Landed(commit)
    if job.settings.run.land == "pr":
        return Landed(land_pr(job, commit, tree))
    _refuse_elsewhere(job, tree, checkout)
    if job.settings.run.land == "branch-only":
        worktree.remove(checkout, tree, branch=False)
        return Landed(commit)
    target = _target(job, tree, checkout)
    saved = job.run_dir / LAND_PLAN
    kept: list[str] = []
    with worktree.land_lock(checkout):
        plan = _saved(checkout, saved)
        if plan is None:
            plan = _new_plan(job, checkout, commit, target)
            saved.write_text(plan.model_dump_json(), encoding="utf-8")
        if _current(checkout, plan.branch) in (plan.old, plan.new):
            kept = list(worktree.apply(checkout, plan))
    worktree.remove(checkout, tree, branch=True)
    return Landed(plan.new, tuple(kept))


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
            commit=commit, branch=worktree.branch_name(settings.run.branch, job.task_id),
            base=_pr_base(job, tree), remote=settings.run.remote, run_id=job.run_id,
            summary=job.summary or RunSummary(task_id=job.task_id),
            spec=_spec_rel(job) or "the spec", budget_usd=settings.budget_usd)
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


def _refuse_elsewhere(job: LandJob, tree: RunTree, checkout: Repository) -> None:
    """A merge, or a run's branch kept, belongs to the checkout the run started in; only a
    pull request can be finished from any clone (the remote is what they share)."""
    started = tree.started_in
    if started.resolve() == checkout.root.resolve():
        return
    raise BlockingOutcome(
        f"run {job.run_id} started in {started} and lands there (run.land = "
        f"\"{job.settings.run.land}\"), not in {checkout.root}\n"
        f"  fix: cd {started} && reviewloop approve {job.run_id}")


def _target(job: LandJob, tree: RunTree, checkout: Repository) -> str:
    where = f"the commit waits on branch {tree.branch}"
    if tree.target is None:
        raise BlockingOutcome(f"the run started on a detached HEAD, so there is no branch to "
                              f"land in; {where} (git merge {tree.branch})")
    if is_protected(tree.target, job.settings.gates.protected_branches) or \
            tree.target == checkout.default_branch():
        raise BlockingOutcome(f"refusing to land on protected branch {tree.target}; {where}\n"
                              f"  fix: switch to a working branch and `reviewloop approve "
                              f"{job.run_id}`, or set run.land = \"branch-only\"")
    return tree.target


def _saved(checkout: Repository, path: Path) -> LandPlan | None:
    """The plan of an interrupted landing, while it still applies."""
    if not path.exists():
        return None
    plan = LandPlan.model_validate_json(path.read_text(encoding="utf-8"))
    current = _current(checkout, plan.branch)
    if current in (plan.old, plan.new) or checkout.is_ancestor(plan.new, current):
        return plan  # not started, interrupted, or landed and built upon since
    return None  # the branch moved before the plan moved it: plan again


def _new_plan(job: LandJob, checkout: Repository, commit: str, target: str) -> LandPlan:
    spec_rel = _spec_rel(job)
    rewrite = {spec_rel: _retick(spec_rel, job.task_id)} if spec_rel else None
    carried = job.run_tree.carried_tree if job.run_tree else None
    plan = worktree.plan(checkout, commit, target, rewrite=rewrite, carried=carried)
    worktree.refuse_symlinks(checkout, plan)  # before your edits are even read
    blocked = worktree.blocking(checkout, plan)
    if blocked:
        raise BlockingOutcome(
            f"cannot land: your checkout has edits to {', '.join(blocked)}, which the run's "
            f"commit changes; nothing of yours was touched and the commit waits on branch "
            f"{job.run_tree.branch if job.run_tree else '?'}\n"
            f"  fix: commit or stash those edits, then `reviewloop approve {job.run_id}`")
    return plan


def _spec_rel(job: LandJob) -> str | None:
    if job.spec_file is None:
        return None
    try:
        return job.spec_file.resolve().relative_to(job.repo.root.resolve()).as_posix()
    except ValueError:
        return None


def _retick(spec_rel: str, task_id: str) -> Callable[[bytes | None], bytes]:
    """The tasks file as on the user's branch, with this task ticked: a replayed commit never
    brings back another task's mark (or conflicts with one)."""
    def compute(text: bytes | None) -> bytes:
        with tempfile.TemporaryDirectory(prefix="reviewloop-tick-") as tmp:
            path = Path(tmp) / spec_rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text or b"")
            spec = load_spec(Path(tmp), path)
            writeback.mark_done(spec.tasks_file, spec.tasks, task_id)
            return spec.tasks_file.read_bytes()
    return compute


def _current(checkout: Repository, branch: str) -> str:
    return checkout.git("rev-parse", "--verify", f"refs/heads/{branch}").strip()
