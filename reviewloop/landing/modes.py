"""The land modes (`run.land`), one registry: each mode is an object that owns how the
approved commit lands, the branch bookkeeping (`runs` shows, `clean` keeps), the next step's
branch and the outcome's text — nothing else compares mode names.

A new mode is one module with a class satisfying `LandMode` and one line in `BUILTIN`, or,
from another package, an entry point in the group `reviewloop.land_modes`
(`reviewloop.plugins`, docs/plugins.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reviewloop import plugins
from reviewloop.errors import ConfigError
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.landing.branch_only import BranchOnlyMode
from reviewloop.landing.job import Landed, LandJob
from reviewloop.landing.merge import MergeMode
from reviewloop.landing.pull_request import PullRequestMode


class LandMode(Protocol):
    """How an approved commit leaves the run.

    `writes_your_branch`: it lands on the branch the run started from, so the run must start
    on a working branch (never the default or a protected one). `approval_by_review`: a
    review elsewhere is the approval (a pull request): the run lands without asking, and an
    escalated one exits 1. `needs_remote`: the remote and its token are checked before any
    work. `branch_to_push(tree)`: the branch a pull request would be opened from after the
    commit (None: there is nothing to push). `kept_branch(tree)`: the branch a committed
    run leaves for you — `runs` shows it and `clean` never deletes it. `outcome(...)`: the
    line said after the commit, as (headline, rest); None when another process said it."""

    @property
    def name(self) -> str: ...

    @property
    def writes_your_branch(self) -> bool: ...

    @property
    def approval_by_review(self) -> bool: ...

    @property
    def needs_remote(self) -> bool: ...

    def land(self, job: LandJob, commit: str, tree: RunTree, checkout: Repository
             ) -> Landed: ...

    def branch_to_push(self, tree: RunTree) -> str | None: ...

    def kept_branch(self, tree: RunTree) -> str | None: ...

    def outcome(self, run_id: str, commit: str, tree: RunTree | None, run_dir: Path
                ) -> tuple[str, str] | None: ...


BUILTIN: dict[str, LandMode] = {m.name: m for m in (
    MergeMode(), BranchOnlyMode(), PullRequestMode())}

_CONTRACT = ("name", "writes_your_branch", "approval_by_review", "needs_remote", "land",
             "branch_to_push", "kept_branch", "outcome")


def modes() -> dict[str, LandMode]:
    """Every land mode: the built-ins, then those installed plugins add (`PluginMode`)."""
    return plugins.guarded(BUILTIN, plugins.LAND_MODES,
                           lambda value: all(hasattr(value, key) for key in _CONTRACT),
                           "land mode (an object with " + ", ".join(_CONTRACT) + ")",
                           PluginMode)


@dataclass(frozen=True)
class PluginMode:
    """A plugin's land mode, each of its calls behind its plugin boundary: one that raises
    or answers what `LandMode` does not is its package's error, exit 2. A `land` that fails
    leaves the commit on the run's branch, and its error says how to land it."""

    plugin: plugins.Boundary[LandMode]

    @property
    def name(self) -> str:
        return self.plugin.name  # what `run.land` names

    @property
    def writes_your_branch(self) -> bool:
        return self.plugin.call(lambda m: m.writes_your_branch, plugins.flag)

    @property
    def approval_by_review(self) -> bool:
        return self.plugin.call(lambda m: m.approval_by_review, plugins.flag)

    @property
    def needs_remote(self) -> bool:
        return self.plugin.call(lambda m: m.needs_remote, plugins.flag)

    def land(self, job: LandJob, commit: str, tree: RunTree, checkout: Repository
             ) -> Landed:
        return self.plugin.call(
            lambda m: m.land(job, commit, tree, checkout), _landed,
            after=f"; the commit {commit[:12]} stays on the run's branch {tree.branch}: "
                  f"`git merge {tree.branch}` lands it")

    def branch_to_push(self, tree: RunTree) -> str | None:
        return self.plugin.call(lambda m: m.branch_to_push(tree), _branch)

    def kept_branch(self, tree: RunTree) -> str | None:
        return self.plugin.call(
            lambda m: m.kept_branch(tree), _branch,
            after="; meanwhile each of its runs keeps its branch (this one's "
                  f"{tree.branch}): `reviewloop runs` lists it, `clean` deletes none of them")

    def outcome(self, run_id: str, commit: str, tree: RunTree | None, run_dir: Path
                ) -> tuple[str, str] | None:
        return self.plugin.call(
            lambda m: m.outcome(run_id, commit, tree, run_dir), _said,
            after=f"; the commit {commit[:12]} is made: `reviewloop runs` shows where it is")


def _landed(value: object) -> Landed | plugins.Wrong:
    return value if isinstance(value, Landed) else \
        plugins.Wrong(f"landed nothing: its land gave {type(value).__name__}, not a Landed")


def _branch(value: object) -> str | plugins.Wrong | None:
    if value is None or isinstance(value, str):
        return None if value is None else str.__str__(value)
    return plugins.Wrong(f"gave {type(value).__name__}, not a branch name or None")


def _said(value: object) -> tuple[str, str] | plugins.Wrong | None:
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return str.__str__(value[0]), str.__str__(value[1])
    return plugins.Wrong(f"gave {type(value).__name__}, not (headline, rest) or None")


def land_mode(name: str) -> LandMode:
    """The mode `run.land` names; an unknown name is a configuration error."""
    found = modes().get(name)
    if found is None:
        raise ConfigError(f'unknown land mode "{name}"', where="run.land",
                          fix=f"use one of: {', '.join(modes())}")
    return found
