"""`/reviewloop fix` on a pull request: the terminal loop's fix rounds (the same fixer,
per-finding budgets, gates, sandbox and fix-only re-review) on the PR's findings, in a
worktree of the PR's head, keyed in the run store by (PR, head, command comment).

Nothing here talks to GitHub: the caller reads the PR's findings, and commits and pushes
(or suggests) what this returns. A run whose record says it committed is not run again; a
run left `running` by a dead process (kill -9) starts over in a fresh worktree, since a fix
that was not committed is worth nothing and nothing of it left the machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.checks.suppressions.scope import pr_trust
from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.schema import Finding
from reviewloop.git.changes import changes_since
from reviewloop.git.diff import parse_diff, save_diff
from reviewloop.git.repository import Repository, Snapshot, open_repository
from reviewloop.git.worktrees import WORKTREES, RunTree, forget
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.review.classify import TrustedSide
from reviewloop.review.evidence import AnalyzerReport
from reviewloop.review.reviewer_set import load_reviewers
from reviewloop.runs.claims import TaskRef, claimed
from reviewloop.runs.registry import run_dir
from reviewloop.runs.store import registry_for
from reviewloop.runs.trusted import TrustedConfig
from reviewloop.spec.steering import STEERING_DIR, constitution_in
from reviewloop.spec.steering_set import SteeringSet
from reviewloop.state_dir import STATE_DIR

if TYPE_CHECKING:
    from reviewloop.agent.models import ModelFactory
    from reviewloop.graph.context import LoopDeps
    from reviewloop.graph.state import FixStart, LoopState

SPEC = "pull-request"  # the registry's spec column for PR fix runs


@dataclass(frozen=True)
class FixRequest:
    """One command on one head of one pull request: the run's identity."""

    repo: str
    number: int
    head_sha: str
    base_sha: str  # the merge base: the PR's change is measured from it
    comment_id: int

    @property
    def run_id(self) -> str:
        return f"pr{self.number}-{self.head_sha[:12]}-c{self.comment_id}"

    @property
    def task_id(self) -> str:
        return f"{self.repo}#{self.number}"


@dataclass(frozen=True)
class FixedTree:
    """What the fix rounds left: the worktree (at the PR head, plus the fix), the ledger,
    the paths the fix changed and what the commit message tells."""

    run_id: str
    tree: Path
    ledger: Ledger
    paths: tuple[str, ...]
    rounds: int
    passed_tests: int | None
    escalations: tuple[str, ...]
    settings: Settings  # the base's: where the run store is, for recording the outcome


@dataclass(frozen=True)
class FixModels:
    model_factory: ModelFactory
    llm: bool
    analyze: Callable[..., AnalyzerReport] | None = None


def record_done(settings: Settings, root: Path, request: FixRequest, status: str,
                commit: str | None = None, detail: str | None = None) -> None:
    registry_for(settings, root).update(request.run_id, status=status, commit_sha=commit,
                                        detail=detail)


def fix_pull_request(root: Path, trusted: TrustedConfig, request: FixRequest,
                     pr_ledger: Ledger, targets: Sequence[Finding],
                     models: FixModels) -> FixedTree:
    """Fix `targets` (open findings of `pr_ledger`) at the PR head, holding the claim on
    the PR so that two commands never fix one head at once."""
    settings = trusted.settings
    checkout = open_repository(root)
    checkout.ensure_ignored(STATE_DIR)
    task = TaskRef(SPEC, request.task_id)
    with claimed(settings, root, task, request.run_id):
        _register(settings, root, request)
        tree = _fresh_tree(checkout, request)
        final = _run(tree, trusted, request, pr_ledger, targets, models,
                     run_dir(root, request.run_id))
    fixed = open_repository(tree.path)
    changed = changes_since(fixed, fixed.head_snapshot(), final.artifacts)[0].paths
    return FixedTree(run_id=request.run_id, tree=Path(tree.path), ledger=final.ledger,
                     paths=changed, rounds=final.round, passed_tests=final.passed_tests,
                     escalations=tuple(final.escalations), settings=settings)


def _register(settings: Settings, root: Path, request: FixRequest) -> None:
    registry = registry_for(settings, root)
    try:
        registry.get(request.run_id)
    except UserInputError:
        registry.create(request.run_id, task_id=request.task_id,
                        task_title=f"/reviewloop fix (comment {request.comment_id})",
                        spec=SPEC, options={"head": request.head_sha,
                                            "base": request.base_sha})
        return
    registry.update(request.run_id, status="running")  # a dead run's record: start over


def _fresh_tree(checkout: Repository, request: FixRequest) -> RunTree:
    """A detached worktree at the PR head; one a killed run left behind is replaced."""
    path = checkout.root / WORKTREES / request.run_id
    if path.exists():
        checkout.try_git("worktree", "remove", "--force", str(path))
        shutil.rmtree(path, ignore_errors=True)
    forget(checkout, path)  # this one's record only: a prune drops every missing worktree's
    path.parent.mkdir(parents=True, exist_ok=True)
    checkout.git("worktree", "add", "--quiet", "--detach", str(path), request.head_sha)
    return RunTree(path=str(path), branch="", base=request.head_sha, target=None)


def _run(tree: RunTree, trusted: TrustedConfig, request: FixRequest, pr_ledger: Ledger,
         targets: Sequence[Finding], models: FixModels, folder: Path) -> LoopState:
    from reviewloop.graph.build import build_fix_graph
    from reviewloop.graph.state import LoopState

    folder.mkdir(parents=True, exist_ok=True)
    repo = open_repository(tree.path)
    deps = _deps(repo, trusted, request, tree, models, folder)
    start = _start(repo, request, pr_ledger, targets, deps, folder)
    final: dict[str, Any] = {}
    for data in build_fix_graph().stream(start, context=deps, stream_mode="values",
                                         config={"recursion_limit": 60,
                                                 "max_concurrency": 8}):
        final = data
    return LoopState(**final)


def _deps(repo: Repository, trusted: TrustedConfig, request: FixRequest, tree: RunTree,
          models: FixModels, folder: Path) -> LoopDeps:
    from reviewloop.implement.implementer import Implementer
    from reviewloop.runs.runner import deps_for

    settings = trusted.settings
    config_root = trusted.root
    agents = load_reviewers(config_root or repo.root, settings)
    SteeringSet.collect((config_root or repo.root) / STEERING_DIR,
                        sensitive=is_sensitive,
                        constitution=constitution_in(config_root or repo.root)).write(folder)
    deps = deps_for(repo.root, settings, run_dir=folder, spec_file=None,
                    implementer=Implementer("manual"), model_factory=models.model_factory,
                    llm=models.llm, analyze=models.analyze, config_root=config_root,
                    agents=agents)
    change = parse_diff(repo.diff_refs(request.base_sha, request.head_sha))
    # the PR's change is untrusted as in its review; the fix is measured from the PR base
    return replace(deps, run_tree=tree, trusted=TrustedSide.base(request.base_sha, change),
                   trust=pr_trust(repo, request.base_sha, request.head_sha))


def _start(repo: Repository, request: FixRequest, pr_ledger: Ledger,
           targets: Sequence[Finding], deps: LoopDeps, folder: Path) -> FixStart:
    from reviewloop.graph.state import STATE_VERSION, FixStart
    from reviewloop.runs.runner import limits_for

    diff_path = folder / "round-1.diff"
    save_diff(diff_path, repo.diff_refs(request.base_sha, request.head_sha))
    tree = repo.git("rev-parse", f"{request.base_sha}^{{tree}}").strip()
    # measured from the PR base: every line of the PR is in the change, as in its review
    baseline = Snapshot(head=request.head_sha, base=request.base_sha, tree=tree, files={})
    limits = limits_for(deps.settings, fix=True).model_copy(update={"budget_usd": None})
    return FixStart(schema_version=STATE_VERSION, run_id=request.run_id,
                    task_id=request.task_id, implementer="manual",
                    agents=[a.name for a in deps.agents], baseline=baseline, limits=limits,
                    ledger=pr_ledger, actionable=list(targets), diff_path=str(diff_path))
