"""Running the loop for one task attempt: build the dependencies, drive the graph, resume it.

One LangGraph thread per run, checkpointed in `.reviewloop/checkpoints.sqlite`; the run
registry beside it says where each run stands. Terminal interaction lives in the CLI.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from reviewloop.agent.implement import Implementer
from reviewloop.agent.tools import Workspace
from reviewloop.config import Settings, model_for
from reviewloop.git import open_repository
from reviewloop.graph.build import build_graph
from reviewloop.graph.context import LoopDeps, ModelFactory, Models
from reviewloop.graph.runs import Registry, new_run_id, state_dir
from reviewloop.graph.steps import baseline
from reviewloop.policy.governance import command_policy, load_policy
from reviewloop.review.definitions import load_agents
from reviewloop.spec.model import Task

RECURSION_LIMIT = 80


@dataclass
class RunResult:
    run_id: str
    status: str  # awaiting_approval | committed | declined
    summary: dict[str, Any] = field(default_factory=dict)
    commit: str | None = None


@dataclass
class LoopRunner:
    root: Path
    settings: Settings
    model_factory: ModelFactory
    llm: bool = True
    analyze: Callable[..., list] | None = None
    progress: Callable[[str, dict[str, Any]], None] | None = None  # (node, update) as each ends
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = Registry(self.root)
        open_repository(self.root).ensure_ignored(".reviewloop/")

    # -- public ---------------------------------------------------------------------------

    def start(self, task: Task, spec_file: Path, implementer: Implementer, *,
              batch: str | None = None) -> RunResult:
        run_id = new_run_id(task.id)
        options = {"implementer": str(implementer), "llm": self.llm,
                   "model": model_for(self.settings, "review"),
                   "max_rounds": self.settings.max_rounds}
        self.registry.create(run_id, task_id=task.id, task_title=task.title,
                             spec=str(spec_file), options=options, batch=batch)
        deps = self._deps(run_id, spec_file, implementer)
        first = {"run_id": run_id, "task_id": task.id, "implementer": str(implementer),
                 "agents": [a.name for a in deps.agents], "attempts": 0, "escalations": [],
                 # taken before anything runs, so a crash mid-implementation loses nothing
                 "baseline": baseline(deps).model_dump()}
        return self._drive(run_id, deps, first)

    def next_nodes(self, run_id: str) -> tuple[str, ...]:
        """Where a stopped run would continue ("present": awaiting approval)."""
        with self._graph() as graph:
            return tuple(graph.get_state(_config(run_id)).next)

    def resume(self, run_id: str, decision: str | None = None) -> RunResult:
        """Continue a run from its checkpoint; `decision` answers a pending approval."""
        record = self.registry.get(run_id)
        deps = self._deps(run_id, Path(record.spec), Implementer.parse(
            record.options.get("implementer", "llm")))
        payload = Command(resume={"decision": decision}) if decision else None
        return self._drive(run_id, deps, payload)

    # -- internals ------------------------------------------------------------------------

    def _deps(self, run_id: str, spec_file: Path, implementer: Implementer) -> LoopDeps:
        run_dir = state_dir(self.root) / "runs" / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        return deps_for(self.root, self.settings, run_dir=run_dir, spec_file=spec_file,
                        implementer=implementer, model_factory=self.model_factory,
                        llm=self.llm, analyze=self.analyze)

    @contextmanager
    def _graph(self) -> Iterator[Any]:
        conn = sqlite3.connect(state_dir(self.root) / "checkpoints.sqlite",
                               check_same_thread=False, timeout=30)
        try:
            saver = SqliteSaver(conn)
            yield build_graph(max_retries=self.settings.gates.max_retries,
                              max_rounds=self.settings.max_rounds, checkpointer=saver)
        finally:
            conn.close()

    def _drive(self, run_id: str, deps: LoopDeps, payload: Any) -> RunResult:
        self.registry.update(run_id, status="running")
        try:
            with self._graph() as graph:
                for chunk in graph.stream(payload, config=_config(run_id), context=deps,
                                          durability="sync", stream_mode="updates"):
                    for node, update in chunk.items():
                        if self.progress and node != "__interrupt__":
                            self.progress(node, update or {})
                snapshot = graph.get_state(_config(run_id))
        except KeyboardInterrupt:
            self.registry.update(run_id, status="interrupted", detail="interrupted (Ctrl-C)")
            raise
        except BaseException as exc:
            self.registry.update(run_id, status="failed", detail=f"{type(exc).__name__}: {exc}")
            raise
        values = snapshot.values
        if snapshot.next:  # stopped at the approval interrupt
            self.registry.update(run_id, status="awaiting_approval")
            return RunResult(run_id, "awaiting_approval", summary=values.get("summary") or
                             _interrupt_summary(snapshot))
        status = "committed" if values.get("outcome") == "committed" else "declined"
        self.registry.update(run_id, status=status, commit_sha=values.get("commit"))
        return RunResult(run_id, status, summary=values.get("summary", {}),
                         commit=values.get("commit"))


def _config(run_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": run_id}, "recursion_limit": RECURSION_LIMIT,
            "max_concurrency": 8}


def _interrupt_summary(snapshot) -> dict[str, Any]:
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return dict(intr.value.get("summary", {}))
    return {}


def deps_for(root: Path, settings: Settings, *, run_dir: Path, spec_file: Path | None,
             implementer: Implementer, model_factory: ModelFactory, llm: bool,
             analyze: Callable[..., list] | None, config_root: Path | None = None) -> LoopDeps:
    """Everything the nodes need, built once per run from settings (never checkpointed).

    `config_root` holds the trusted configuration (agents, .kiro/config.yaml) when it does
    not come from the checkout (`reviewloop.graph.trusted`)."""
    repo = open_repository(root)
    agents = load_agents(config_root or root, settings.agents_dirs, settings.reviewers)
    # reviewloop config + .kiro/config.yaml
    governance = load_policy(config_root or repo.root, settings)
    return LoopDeps(settings=settings, repo=repo, spec_file=spec_file,
                    agents=tuple(agents.agents), run_dir=run_dir,
                    models=Models(settings, model_factory, enabled=llm),
                    implementer=implementer,
                    workspace=Workspace(root=repo.root, sensitive=governance.sensitive),
                    policy=command_policy(governance), governance=governance,
                    analyze=analyze)
