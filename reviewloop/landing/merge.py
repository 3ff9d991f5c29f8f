"""`run.land = "merge"` (the default): the approved commit reaches the branch the run
started from, fast-forwarded or replayed onto it, with the task ticked in your spec.

Idempotent: the plan is saved in the run folder before your branch moves, so a resume after a
crash anywhere in between applies the same plan again and repairs what is missing.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import BlockingOutcome, UserInputError
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, is_protected
from reviewloop.git.worktrees import RunTree
from reviewloop.landing import engine
from reviewloop.landing.engine import LandPlan
from reviewloop.landing.job import LAND_PLAN, Landed, LandJob, refuse_elsewhere, spec_rel
from reviewloop.landing.tick import RunTask, retick


@dataclass(frozen=True)
class MergeMode:
    """Your branch gets the commit; the run's worktree and branch go."""

    name: str = "merge"
    writes_your_branch: bool = True
    approval_by_review: bool = False
    needs_remote: bool = False

    def land(self, job: LandJob, commit: str, tree: RunTree, checkout: Repository) -> Landed:
        refuse_elsewhere(job, tree, checkout)
        target = _target(job, tree, checkout)
        saved = job.run_dir / LAND_PLAN
        kept: list[str] = []
        with engine.land_lock(checkout):
            plan = _saved(checkout, saved)
            if plan is None:
                plan = _new_plan(job, checkout, commit, target)
                saved.write_text(plan.model_dump_json(), encoding="utf-8")
            if _current(checkout, plan.branch) in (plan.old, plan.new):
                kept = list(engine.apply(checkout, plan))
        worktree.remove(checkout, tree, branch=True)
        return Landed(plan.new, tuple(kept), _elsewhere_said(checkout, plan.branch))

    def branch_to_push(self, tree: RunTree) -> str | None:
        return tree.target  # your branch, now holding the commit (None: a detached HEAD)

    def kept_branch(self, tree: RunTree) -> str | None:
        return None

    def outcome(self, run_id: str, commit: str, tree: RunTree | None, run_dir: Path
                ) -> tuple[str, str] | None:
        where = f" on {tree.target}" if tree is not None and tree.target else ""
        return f"Committed {commit[:12]}", f"{where} (run {run_id})."


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
    if checkout.try_git("rev-parse", "--verify", "--quiet", f"refs/heads/{tree.target}")[0]:
        raise UserInputError(
            f"cannot land run {job.run_id}: branch {tree.target}, where it started and lands, "
            f"no longer exists; {where}", where=job.run_id,
            fix=f"recreate it (git branch {tree.target} {tree.base[:12]}) and `reviewloop "
                f"approve {job.run_id}`; or merge the run's branch yourself (git merge "
                f"{tree.branch}); or drop it: reviewloop reject {job.run_id}")
    other = _checked_out_elsewhere(checkout, tree.target)
    if other is not None:
        raise BlockingOutcome(
            f"cannot land: {tree.target} is checked out in the worktree {other}, and git does "
            f"not move a branch checked out elsewhere (its files would not follow); {where}\n"
            f"  fix: switch that worktree to another branch (git -C {other} switch --detach) "
            f"and `reviewloop approve {job.run_id}`; or merge it there: cd {other} && git "
            f"merge {tree.branch}")
    return tree.target


def _checked_out_elsewhere(checkout: Repository, branch: str) -> str | None:
    """The other worktree (not this checkout, nor a run's) that has `branch` checked out."""
    path = None
    for line in checkout.git("worktree", "list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            path = line.removeprefix("worktree ")
        elif line == f"branch refs/heads/{branch}" and path is not None and \
                os.path.realpath(path) != os.path.realpath(checkout.root):
            return path
    return None


def _elsewhere_said(checkout: Repository, branch: str) -> tuple[str, ...]:
    """A word when your checkout is not on the branch that got the commit."""
    current = checkout.current_branch()
    if current == branch:
        return ()
    return (f"Your checkout is on {current or 'a detached HEAD'}, not {branch}: the commit "
            f"is on {branch} (git switch {branch}).",)


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
    tasks_file = spec_rel(job)
    run = RunTask(run_id=job.run_id, task_id=job.task_id,
                  title=job.summary.task_title if job.summary else "", tasks_file=tasks_file or "",
                  branch=target, run_branch=job.run_tree.branch if job.run_tree else commit[:12])
    rewrite = {tasks_file: retick(run)} if tasks_file else None
    carried = job.run_tree.carried_tree if job.run_tree else None
    plan = engine.plan(checkout, commit, target, rewrite=rewrite, carried=carried)
    engine.refuse_symlinks(checkout, plan)  # before your edits are even read
    blocked = engine.blocking(checkout, plan)
    if blocked:
        raise BlockingOutcome(
            f"cannot land: your checkout has edits to {', '.join(blocked)}, which the run's "
            f"commit changes; nothing of yours was touched and the commit waits on branch "
            f"{job.run_tree.branch if job.run_tree else '?'}\n"
            f"  fix: {_fix(job, blocked, engine.staged_only(checkout, plan, blocked))}")
    return plan


def _fix(job: LandJob, blocked: list[str], staged: list[str]) -> str:
    """How to clear the way: a file only whose staged version is in the way (a change half
    staged, then edited further) is unstaged — committing that half would conflict."""
    approve = f"`reviewloop approve {job.run_id}`"
    if not staged:
        return f"commit or stash those edits, then {approve}"
    quoted = " ".join(shlex.quote(p) for p in staged)
    unstage = (f"only what you staged of {', '.join(staged)} is in the way: unstage it, the "
               f"file keeps every edit (`git diff --cached -- {quoted}` shows it first): "
               f"git restore --staged -- {quoted}")
    rest = [p for p in blocked if p not in staged]
    if rest:
        return f"{unstage}; commit or stash your edits to {', '.join(rest)}; then {approve}"
    return f"{unstage}, then {approve}"


def _current(checkout: Repository, branch: str) -> str:
    return checkout.git("rev-parse", "--verify", f"refs/heads/{branch}").strip()
