"""The land step: the approved commit reaches the user's branch, stays on the run's, or goes
to a pull request (`run.land`: merge, branch-only, pr).

Idempotent: the plan is saved in the run folder before the user's branch moves, so a resume
after a crash anywhere in between applies the same plan again and repairs what is missing.
A pull request is found by its branch, and a push of what is there already does nothing, so
landing one again after a crash neither pushes twice nor opens a second one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reviewloop.errors import BlockingOutcome, ReviewloopError
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, is_protected, open_repository
from reviewloop.git.worktrees import LandPlan, RunTree
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState
from reviewloop.spec import writeback
from reviewloop.spec.loader import load_spec

LAND_PLAN = "land.json"
PR_FILE = "pr.json"  # land = "pr": the pull request the land step opened or updated


def land_change(deps: LoopDeps, state: LoopState) -> str:
    """Land the run's commit as `run.land` says; the landed commit id."""
    commit = state.get("commit") or ""
    tree, checkout = deps.run_tree, deps.checkout
    if tree is None or checkout is None:
        return commit
    if deps.settings.run.land == "branch-only":
        worktree.remove(checkout, tree, branch=False)
        return commit
    if deps.settings.run.land == "pr":
        return land_pr(deps, state, tree)
    target = _target(deps, tree, state["run_id"])
    saved = deps.run_dir / LAND_PLAN
    with worktree.land_lock(checkout):
        plan = _saved(checkout, saved)
        if plan is None:
            plan = _new_plan(deps, state, checkout, commit, target)
            saved.write_text(plan.model_dump_json(), encoding="utf-8")
        if _current(checkout, plan.branch) in (plan.old, plan.new):
            left = worktree.apply(checkout, plan)
            deps.notes.extend(f"{p} changed in your checkout while landing: your version "
                              "was kept" for p in left)
    worktree.remove(checkout, tree, branch=True)
    return plan.new


def land_pr(deps: LoopDeps, state: LoopState, tree: RunTree) -> str:
    """Push the run's commit to the task's branch on the remote and open (or update) its
    pull request; the run's worktree and local branch go, the commit is on the remote."""
    from reviewloop.reports.report import RunSummary

    commit, run_id = state.get("commit") or "", state["run_id"]
    settings = deps.settings
    if deps.open_pr is None:
        raise BlockingOutcome(f'run.land = "pr" but nothing here opens pull requests; the '
                              f"commit waits on branch {tree.branch}")
    try:
        pull = deps.open_pr(
            deps.repo,  # the run's worktree: its commit is there even when resumed elsewhere
            commit=commit, branch=worktree.branch_name(settings.run.branch, state["task_id"]),
            base=_pr_base(deps, tree), remote=settings.run.remote, run_id=run_id,
            summary=RunSummary.model_validate(state.get("summary")
                                              or {"task_id": state["task_id"]}),
            spec=_spec_rel(deps) or "the spec", budget_usd=settings.budget_usd)
    except ReviewloopError as exc:
        raise BlockingOutcome(
            f"could not open the pull request: {exc}\n  the commit waits on branch "
            f"{tree.branch}; fix the cause and `reviewloop approve {run_id}` pushes and opens "
            "it again") from None
    (deps.run_dir / PR_FILE).write_text(pull.model_dump_json(), encoding="utf-8")
    worktree.remove(_owner(tree, deps), tree, branch=True)
    return commit


def _pr_base(deps: LoopDeps, tree: RunTree) -> str:
    """The branch the run started from; on a detached HEAD (a CI checkout of a commit), the
    repository's default branch."""
    if tree.target:
        return tree.target
    return (deps.checkout or deps.repo).default_branch()


def _owner(tree: RunTree, deps: LoopDeps) -> Repository:
    """The checkout the run's worktree belongs to (another clone's, when this process
    resumed a run another one started)."""
    root = Path(tree.path).parents[2]  # <checkout>/.reviewloop/worktrees/<run>
    if (root / ".git").exists():
        return open_repository(root)
    assert deps.checkout is not None
    return deps.checkout


def _target(deps: LoopDeps, tree: RunTree, run_id: str) -> str:
    where = f"the commit waits on branch {tree.branch}"
    if tree.target is None:
        raise BlockingOutcome(f"the run started on a detached HEAD, so there is no branch to "
                              f"land in; {where} (git merge {tree.branch})")
    checkout = deps.checkout
    assert checkout is not None
    if is_protected(tree.target, deps.settings.gates.protected_branches) or \
            tree.target == checkout.default_branch():
        raise BlockingOutcome(f"refusing to land on protected branch {tree.target}; {where}\n"
                              f"  fix: switch to a working branch and `reviewloop approve "
                              f"{run_id}`, or set run.land = \"branch-only\"")
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


def _new_plan(deps: LoopDeps, state: LoopState, checkout: Repository, commit: str,
              target: str) -> LandPlan:
    spec_rel = _spec_rel(deps)
    rewrite = {spec_rel: _retick(spec_rel, state["task_id"])} if spec_rel else None
    carried = deps.run_tree.carried_tree if deps.run_tree else None
    plan = worktree.plan(checkout, commit, target, rewrite=rewrite, carried=carried)
    blocked = worktree.blocking(checkout, plan)
    if blocked:
        raise BlockingOutcome(
            f"cannot land: your checkout has edits to {', '.join(blocked)}, which the run's "
            f"commit changes; nothing of yours was touched and the commit waits on branch "
            f"{deps.run_tree.branch if deps.run_tree else '?'}\n"
            f"  fix: commit or stash those edits, then `reviewloop approve {state['run_id']}`")
    return plan


def _spec_rel(deps: LoopDeps) -> str | None:
    if deps.spec_file is None:
        return None
    try:
        return deps.spec_file.resolve().relative_to(deps.root.resolve()).as_posix()
    except ValueError:
        return None


def _retick(spec_rel: str, task_id: str):
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
