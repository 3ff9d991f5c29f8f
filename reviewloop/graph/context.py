"""What the graph's nodes need besides state, passed as LangGraph's run context.

Nothing here is checkpointed: a resumed run rebuilds it from the run registry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from reviewloop.agent.tools import CommandPolicy, Workspace
from reviewloop.config import Settings, model_for
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.implement.implementer import Implementer
from reviewloop.policy.governance import Policy
from reviewloop.review.definitions import AgentDefinition

ModelFactory = Callable[[str], BaseChatModel]


@dataclass(frozen=True)
class ChatHandle:
    model: BaseChatModel
    name: str
    bedrock: bool
    timeout_s: float | None = None  # the total deadline of one call (llm_timeout_s)


class Models:
    """Chat models per role and per agent override, created on first use and shared.

    `enabled=False` is the offline mode: every lookup answers None.
    """

    def __init__(self, settings: Settings, factory: ModelFactory, *, enabled: bool = True):
        self._settings = settings
        self._factory = factory
        self.enabled = enabled
        self._cache: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    def get(self, role: str, override: str | None = None) -> ChatHandle | None:
        name = override or model_for(self._settings, role)
        if not self.enabled or not name:
            return None
        with self._lock:
            if name not in self._cache:
                self._cache[name] = self._factory(name)
        return ChatHandle(self._cache[name], name, _is_bedrock(name),
                          self._settings.llm_timeout_s)


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
    # analyzer layer: (agent, diff_text, root) -> AnalyzerReport (findings and health)
    analyze: Callable[..., Any] | None = None
    notes: list[str] = field(default_factory=list)
    # A task run works in `run_tree` (`repo` is that worktree); `checkout` is the user's own
    # working tree, written only when an approved commit lands. None for `reviewloop review`.
    checkout: Repository | None = None
    run_tree: RunTree | None = None
    # run.land = "pr": pushes the commit and opens its pull request (`github.run_pr.land_run`,
    # injected by the CLI: the graph does not import the github layer)
    open_pr: Callable[..., Any] | None = None

    @property
    def root(self) -> Path:
        return self.repo.root

    def agent(self, name: str) -> AgentDefinition:
        return next(a for a in self.agents if a.name == name)


def _is_bedrock(name: str) -> bool:
    from reviewloop.agent.models import is_bedrock_model

    return is_bedrock_model(name)
