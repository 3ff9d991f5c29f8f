"""What the graph's nodes need besides state, passed as LangGraph's run context.

Nothing here is checkpointed: a resumed run rebuilds it from the run registry. Nothing here
is written by a node either: what a step has to tell goes into state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewloop.agent.roles import Models
from reviewloop.agent.tools import CommandPolicy
from reviewloop.agent.workspace import Workspace
from reviewloop.config import Settings
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.implement.implementer import Implementer
from reviewloop.landing.job import OpenPullRequest
from reviewloop.policy.governance import Policy
from reviewloop.policy.trust import Trust
from reviewloop.review.cache_gate import CacheGates
from reviewloop.review.classify import TrustedSide
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.round import Analyze


@dataclass(frozen=True)
class LoopDeps:
    settings: Settings
    repo: Repository
    spec_file: Path | None  # None for `reviewloop review`
    agents: Sequence[AgentDefinition]
    models: Models
    run_dir: Path
    implementer: Implementer
    workspace: Workspace
    policy: CommandPolicy
    governance: Policy | None = None
    analyze: Analyze | None = None  # the analyzer layer (findings and health per reviewer)
    # A task run works in `run_tree` (`repo` is that worktree); `checkout` is the user's own
    # working tree, written only when an approved commit lands. None for `reviewloop review`.
    checkout: Repository | None = None
    run_tree: RunTree | None = None
    open_pr: OpenPullRequest | None = None  # run.land = "pr" (injected by the CLI)
    # Whose file classification counts: a run's baseline by default; the base commit for
    # review --head and PR mode; the checkout for a local review.
    trusted: TrustedSide = field(default_factory=TrustedSide)
    # The change no suppression may come from, when the caller fixes it (a pull request:
    # base..head); None: whatever was written since the run started (checks.suppressions).
    trust: Trust | None = None
    # The reviewers that share a cached prompt prefix meet here (one process, never saved).
    cache_gates: CacheGates = field(default_factory=CacheGates)
    # Reviewers over `[review] max_reviewers`, said in the report (`review.reviewer_set`).
    reviewers_left_out: str | None = None
    # Reviewers an override turned off ("enabled": false): said in each round's reviewers.
    turned_off: Sequence[AgentDefinition] = ()
    # `review --fix`: the commit its change is measured from, and its paths (`RoundSetup`).
    change_from: tuple[str, tuple[str, ...]] | None = None
    # Each round's suppressions, judged once (`graph.steps.round_suppressions`) for its
    # triage and whoever records findings after the graph (the gates): one process, not saved.
    judged: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def root(self) -> Path:
        return self.repo.root

    def here(self, path: str) -> str:
        """A file the state names in its run's folder, where it is now: a run rebuilt in
        another clone (`runs.resumed`) has its folder's files in this process's run folder,
        while the state still names the folder of the clone it started in (gone, or on
        another machine)."""
        where = Path(path)
        if path and where.parent.name == self.run_dir.name and not where.exists():
            return str(self.run_dir / where.name)
        return path
