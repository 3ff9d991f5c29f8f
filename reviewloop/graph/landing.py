"""The land step: the approved commit reaches the user's branch (or stays on the run's).

Idempotent: the plan is saved in the run folder before the user's branch moves, so a resume
after a crash anywhere in between applies the same plan again and repairs what is missing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reviewloop import worktree
from reviewloop.errors import BlockingOutcome
from reviewloop.git import Repository, is_protected
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState
from reviewloop.spec import writeback
from reviewloop.spec.loader import load_spec
from reviewloop.worktree import LandPlan, RunTree

LAND_PLAN = "land.json"


def land_change(deps: LoopDeps, state: LoopState) -> str:
    """Land the run's commit as `run.land` says; the landed commit id."""
    commit = state.get("commit") or ""
    tree, checkout = deps.run_tree, deps.checkout
    if tree is None or checkout is None:
        return commit
    if deps.settings.run.land == "branch-only":
        worktree.remove(checkout, tree, branch=False)
        return commit
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
