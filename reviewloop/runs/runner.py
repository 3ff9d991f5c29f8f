"""Running the loop for one task attempt: build the dependencies, drive the graph, resume it.

One LangGraph thread per run, checkpointed in `.reviewloop/checkpoints.sqlite`; the run
registry beside it says where each run stands. Terminal interaction lives in the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, StateSnapshot

from reviewloop.agent.models import ModelFactory, UsageRecord
from reviewloop.agent.roles import Models
from reviewloop.agent.spend import run_cost
from reviewloop.agent.tool_loop import AgentLoopError
from reviewloop.agent.workspace import Workspace
from reviewloop.checks import interrupts
from reviewloop.checks.gates.hook_files import load_hooks
from reviewloop.config import Settings, model_for
from reviewloop.errors import BlockingOutcome, UserInputError
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.snapshots import TouchedFiles
from reviewloop.git.worktrees import RunTree
from reviewloop.graph.build import Graph, build_graph
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.nodes import summary_scope
from reviewloop.graph.state import STATE_VERSION, InputState, limits_for
from reviewloop.implement.attempt import baseline
from reviewloop.implement.implementer import Implementer
from reviewloop.landing.job import OpenPullRequest
from reviewloop.landing.modes import land_mode
from reviewloop.policy.governance import command_policy, load_policy, with_quality_gates
from reviewloop.policy.levers import refuse
from reviewloop.reports.report import RunSummary
from reviewloop.reports.summary import run_levers
from reviewloop.review.definitions import AgentSet
from reviewloop.review.reviewer_set import load_reviewers
from reviewloop.review.round import Analyze
from reviewloop.runs import left, liveness, reviewed, stops
from reviewloop.runs.budget import SpendLog, spec_key
from reviewloop.runs.carry import WorkKeeper
from reviewloop.runs.claims import TaskRef, claimed
from reviewloop.runs.committed_spec import refuse_uncommitted
from reviewloop.runs.lease import Lease, LeaseLost
from reviewloop.runs.registry import (
    OWNER,
    Registry,
    RunRecord,
    new_run_id,
    run_tree,
    state_dir,
)
from reviewloop.runs.result import RunResult
from reviewloop.runs.resumed import no_checkpoint, put_back, rebuilt, spec_in, work_root
from reviewloop.runs.store import checkpointer, postgres_url, registry_for
from reviewloop.runs.streaming import MODES, Listener, relaying, traced
from reviewloop.spec.model import Task
from reviewloop.state_dir import STATE_DIR

RECURSION_LIMIT = 80


class OlderRun(UserInputError):
    """A run whose checkpoint another shape of the loop's state wrote: not resumed, because
    reading it with this one would go wrong halfway."""


class RunFailed(BlockingOutcome):
    """A run stopped by its model (a provider failure, or no usable answer): recorded as
    failed, resumable from its checkpoint; exit 1, never a crash."""


@dataclass
class LoopRunner:
    root: Path
    settings: Settings
    model_factory: ModelFactory
    llm: bool = True
    analyze: Analyze | None = None
    progress: Listener | None = None  # told as each step starts, reports and ends
    notice: Callable[[str], None] | None = None  # a sentence for the user (where the run works)
    open_pr: OpenPullRequest | None = None  # run.land = "pr" (see LoopDeps.open_pr)
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        self.registry = registry_for(self.settings, self.root)  # type: ignore[assignment]
        open_repository(self.root).ensure_ignored(STATE_DIR)

    # -- public ---------------------------------------------------------------------------

    def start(self, task: Task, spec_file: Path, implementer: Implementer, *,
              batch: str | None = None, prepare: Callable[[], None] | None = None
              ) -> RunResult:
        """A new run of `task` in its own worktree, from the user's HEAD (plus, for a manual
        run, the user's uncommitted change, carried over and announced); `prepare` (making
        `run --branch`'s branch) runs once the task's claim is taken."""
        run_id = new_run_id(task.id)
        if not implementer.spec.your_change:  # a manual run carries your spec with it
            refuse_uncommitted(self.root, spec_file, task.id)
        if self.settings.gates.kiro_hooks:  # a malformed hook file fails before any spend
            load_hooks(open_repository(self.root))
        # claimed before anything is created: a refused run leaves no worktree or branch
        with claimed(self.settings, self.root, TaskRef.of(spec_file, self.root, task.id),
                     run_id):
            if prepare is not None:
                prepare()
            return self._start(run_id, task, spec_file, implementer, batch)

    def _start(self, run_id: str, task: Task, spec_file: Path, implementer: Implementer,
               batch: str | None) -> RunResult:
        checkout = open_repository(self.root)
        tree = worktree.create(checkout, run_id, worktree.branch_name(
            self.settings.run.branch, task.id, spec_key(spec_file, self.root)),
            carry=implementer.spec.your_change)
        options = {"implementer": str(implementer), "llm": self.llm,
                   "model": model_for(self.settings, "review"),
                   "max_rounds": self.settings.max_rounds, "land": self.settings.run.land,
                   "worktree": tree.model_dump(mode="json")}
        self.registry.create(run_id, task_id=task.id, task_title=task.title,
                             spec=str(spec_file), options=options, batch=batch)
        if self.notice:
            self.notice(f"Run {run_id} works in {_shown(self.root, tree.path)} on branch "
                        f"{tree.branch}; your checkout is not touched until you approve.")
            if tree.carried:
                self.notice("Carried your uncommitted change into it: " + ", ".join(tree.carried))
        deps = self._deps(run_id, spec_file, implementer, tree)
        if self.notice and deps.governance:
            for note in deps.governance.notes:
                self.notice(f"Note: {note}.")
        if self.notice and deps.reviewers_left_out:
            self.notice(f"Warning: {deps.reviewers_left_out}.")
        first = InputState(
            schema_version=STATE_VERSION, run_id=run_id, task_id=task.id,
            implementer=str(implementer), agents=[a.name for a in deps.agents],
            # taken before anything runs, so a crash mid-implementation loses nothing
            baseline=baseline(deps.repo, implementer), limits=limits_for(self.settings))
        return self._drive(run_id, deps, first)

    def next_nodes(self, run_id: str) -> tuple[str, ...]:
        """Where a stopped run would continue ("present": awaiting approval)."""
        with self._graph() as graph:
            return tuple(graph.get_state(_config(run_id)).next)

    def resume(self, run_id: str, decision: str | None = None) -> RunResult:
        """Continue a run from its checkpoint; `decision` answers a pending approval. A run
        whose worktree is not on this machine is rebuilt here first, once this process
        drives it (`runs.resumed`)."""
        record = self.registry.get(run_id)
        payload: Command[None] | None = (Command(resume={"decision": decision}) if decision
                                          else None)
        with claimed(self.settings, self.root, _task_of(record, self.root), run_id), \
                self._lease(run_id) as lease:
            # after the claim: a run another process is still starting has no checkpoint yet
            self._check_version(run_id)
            if decision == "approve":  # the one place an approval is applied
                stops.refuse_empty(record, self.touched(run_id))
            deps = self._resumed_deps(record)
            if decision == "approve" or self.next_nodes(run_id) == ("commit",):  # a retry too
                with stops.refused_again(self.registry, record):
                    self._refuse_unapproved(run_id, deps)
            return self._drive_leased(run_id, deps, payload, lease)

    def _resumed_deps(self, record: RunRecord) -> LoopDeps:
        started = run_tree(record)
        # made and saved, its work is that commit (in this clone or pushed), not its worktree
        committed = bool(self._saved(record.run_id).get("commit"))
        moved = rebuilt(self.registry, record, open_repository(self.root), committed=committed)
        if moved is not None and started is not None:
            if self.notice:
                self.notice(f"{moved.how} in {_shown(self.root, moved.tree.path)} on branch "
                            f"{moved.tree.branch} (it started in {started.started_in}).")
            record = self.registry.get(record.run_id)
        deps = self._deps(record.run_id, Path(record.spec), Implementer.parse(
            record.options.get("implementer", "llm")), run_tree(record), committed=committed)
        if moved is None and not committed and deps.run_tree is not None:
            # the step it stopped in starts again from its saved work (`resumed.put_back`)
            for said in put_back(self.registry, record.run_id, deps.repo, deps.run_dir,
                                 self.next_nodes(record.run_id)):
                if self.notice:
                    self.notice(said)
        return deps

    def touched(self, run_id: str) -> TouchedFiles | None:
        """The files the run changed, as its state saved them."""
        return self._saved(run_id).get("touched")

    def _saved(self, run_id: str) -> dict[str, Any]:  # the run's last checkpoint
        with self._graph() as graph:
            return dict(graph.get_state(_config(run_id)).values)

    def _check_version(self, run_id: str) -> None:
        """Refuse a run whose saved state an older (or newer) reviewloop wrote."""
        values = self._saved(run_id)
        if not values:
            raise no_checkpoint(self.registry.get(run_id))
        version = values.get("schema_version", 1)
        if version != STATE_VERSION:
            raise OlderRun(
                f"run {run_id} was saved by another version of reviewloop (state version "
                f"{version}, this one reads {STATE_VERSION}); it cannot be resumed or approved",
                where=run_id,
                fix="finish it with the reviewloop version that started it, or forget it with "
                    f"`reviewloop clean {run_id}` and run its task again")

    def _refuse_unapproved(self, run_id: str, deps: LoopDeps) -> None:
        """No approval lands a change that weakens the sandbox or the command policy (read
        from the run's tree as it is now: a human may take that change out), nor a file of
        the run edited in its worktree after the review (a lever file is judged as it is;
        the spec may differ by the run's own tick)."""
        values = self._saved(run_id)
        if values.get("touched") is None or values.get("baseline") is None:
            return
        levers = run_levers(summary_scope(deps), values["baseline"], values["touched"])
        refuse(levers, run_id, where=str(deps.repo.root))
        judged = {c.path for c in levers.changes}
        if deps.run_tree is not None:
            reviewed.refuse_unreviewed(self.registry.work(run_id), run_id, deps.repo,
                                       [p for p in values["touched"].paths if p not in judged],
                                       spec=(deps.spec_file, values["task_id"]))

    # -- internals ------------------------------------------------------------------------

    def _deps(self, run_id: str, spec_file: Path, implementer: Implementer,
              tree: RunTree | None, *, committed: bool = False) -> LoopDeps:
        run_dir = state_dir(self.root) / "runs" / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        root = self.root
        if tree is not None:
            root = work_root(run_id, tree, self.root, committed=committed,
                             task_id=lambda: self.registry.get(run_id).task_id)
            spec_file = spec_in(tree, spec_file, root)
        return deps_for(root, self.settings, run_dir=run_dir, spec_file=spec_file,
                        implementer=implementer, model_factory=self.model_factory,
                        llm=self.llm, analyze=self.analyze,
                        checkout=open_repository(self.root), run_tree=tree,
                        open_pr=self.open_pr)

    @contextmanager
    def _graph(self, keeper: WorkKeeper | None = None) -> Iterator[Graph]:
        with checkpointer(self.settings, self.root, keeper) as saver:
            yield build_graph(checkpointer=saver)

    def _keeper(self, run_id: str, deps: LoopDeps,
                payload: InputState | Command | None) -> WorkKeeper | None:
        """What saves the run's work into the store as it goes (`runs.carry`), for a run in
        its own worktree; it keeps the trees the state's snapshots name."""
        tree = deps.run_tree
        if tree is None:
            return None
        keeper = WorkKeeper(self.registry, run_id, deps.repo, deps.run_dir, tree.base,
                            (tree.carried_tree,))
        if isinstance(payload, InputState):
            keeper.seen(vars(payload).values())
        else:
            with self._graph() as graph:
                keeper.seen(graph.get_state(_config(run_id)).values.values())
        return keeper

    def _drive(self, run_id: str, deps: LoopDeps, payload: InputState | Command | None
               ) -> RunResult:
        with self._lease(run_id) as lease:
            return self._drive_leased(run_id, deps, payload, lease)

    @contextmanager
    def _lease(self, run_id: str) -> Iterator[Lease | None]:
        """With shared state, hold the run's lease while driving it (see runs/lease.py)."""
        url = postgres_url(self.settings)
        if url is None:
            yield None
            return
        with Lease(url, run_id, ttl=self.settings.lease_seconds,
                   beat=self.settings.lease_beat_seconds) as lease:
            yield lease

    def _drive_leased(self, run_id: str, deps: LoopDeps, payload: InputState | Command | None,
                      lease: Lease | None) -> RunResult:
        before = self.registry.get(run_id).status
        self.registry.update(run_id, status="running")
        owner = deps.run_dir / OWNER
        owner.write_text(liveness.me().dumps(), encoding="utf-8")  # `runs` tells a crash
        keeper = self._keeper(run_id, deps, payload)
        try:
            with self._graph(keeper) as graph, \
                    relaying(traced(self.progress, deps.run_dir)) as relay:
                for mode, data in graph.stream(payload, config=_config(run_id), context=deps,
                                               durability="sync", stream_mode=list(MODES)):
                    if lease is not None and mode == "updates":
                        lease.renew()  # at each node boundary; LeaseLost stops the run
                    relay(mode, data)
                snapshot = graph.get_state(_config(run_id))
        except KeyboardInterrupt as exc:
            said = stops.record_interrupt(self.registry, run_id, interrupts.what(exc),
                                          deps.run_dir)
            if said and self.notice:
                self.notice(said)
            raise
        except LeaseLost:
            raise  # another runner drives the run now: its status is theirs to write
        except AgentLoopError as exc:
            raise self._model_failed(run_id, exc) from exc
        except BaseException as exc:
            stops.record_stop(self.registry, run_id, before, exc, lambda: (
                self._saved(run_id).get("commit"), self.next_nodes(run_id)))
            raise
        finally:
            owner.unlink(missing_ok=True)
        values = snapshot.values
        self._record_spend(run_id, deps, values.get("usage", []))
        result = RunResult(run_id, "declined", summary=values.get("summary"),
                           commit=values.get("commit"), tree=deps.run_tree,
                           land=land_mode(deps.settings.run.land),
                           notices=values.get("notices", []))
        if snapshot.next:  # stopped at the approval interrupt
            self.registry.update(run_id, status="awaiting_approval")
            result.status = "awaiting_approval"
            result.summary = result.summary or _interrupt_summary(snapshot)
            return result
        if values.get("outcome") == "committed":
            result.status = "committed"
        self.registry.update(run_id, status=result.status, commit_sha=values.get("commit"))
        self.registry.forget_work(run_id)  # finished: never rebuilt
        if result.status == "declined":  # kept for the user: `clean` tells their work apart
            left.record(self.root, run_id, deps.run_tree)
        return result

    def _model_failed(self, run_id: str, exc: AgentLoopError) -> RunFailed:
        """The model failed the implementer or the fixer (the provider, or its answers): the
        run stops as failed at its last checkpoint, for `resume` once the cause is gone."""
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        self.registry.update(run_id, status="failed", detail=reason)
        return RunFailed(f"run {run_id} failed: {reason}\n  `reviewloop resume {run_id}` "
                         "continues it from its last checkpoint once the model answers again")

    def _record_spend(self, run_id: str, deps: LoopDeps, usage: list[UsageRecord]) -> None:
        """What the run has spent so far, for the batch budget (`plan`)."""
        cost = run_cost(usage, self.settings.prices)
        if cost is not None and deps.spec_file is not None:
            key = spec_key(deps.spec_file, deps.repo.root)  # the run may work in a worktree
            SpendLog(self.settings, self.root).record(run_id, key, cost)


def _config(run_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": run_id}, "recursion_limit": RECURSION_LIMIT,
            "max_concurrency": 8}


def _interrupt_summary(snapshot: StateSnapshot) -> RunSummary | None:
    for task in snapshot.tasks:
        for intr in task.interrupts:
            found = intr.value.get("summary")
            return RunSummary.model_validate(found) if found else None
    return None


def deps_for(root: Path, settings: Settings, *, run_dir: Path, spec_file: Path | None,
             implementer: Implementer, model_factory: ModelFactory, llm: bool,
             analyze: Analyze | None, config_root: Path | None = None,
             checkout: Repository | None = None, run_tree: RunTree | None = None,
             open_pr: OpenPullRequest | None = None,
             agents: AgentSet | None = None) -> LoopDeps:
    """Everything the nodes need, built once per run from settings (never checkpointed).

    `config_root` holds the trusted configuration (agents, .kiro/config.yaml) when it does
    not come from the checkout (`reviewloop.runs.trusted`); `agents`, when the caller
    loaded them already, are those same agents."""
    # in its own worktree a run's change is what the repository's ignore rules let through
    repo = open_repository(root) if run_tree is None else worktree.open_run_repository(root)
    if agents is None:
        agents = load_reviewers(config_root or root, settings)
    # reviewloop config + .kiro/config.yaml
    governance = load_policy(config_root or repo.root, settings)
    settings = with_quality_gates(settings, governance)  # test_coverage for the gates
    return LoopDeps(settings=settings, repo=repo, spec_file=spec_file,
                    agents=tuple(agents.agents), run_dir=run_dir,
                    models=Models(settings, model_factory, enabled=llm),
                    implementer=implementer,
                    workspace=Workspace(root=repo.root, sensitive=governance.sensitive),
                    policy=command_policy(governance), governance=governance,
                    analyze=analyze, checkout=checkout, run_tree=run_tree, open_pr=open_pr,
                    reviewers_left_out=agents.left_out, turned_off=agents.turned_off)


def _task_of(record: RunRecord, root: Path) -> TaskRef:
    """The task a registered run is of, named as in the checkout that started it (another
    clone's when resumed from here)."""
    tree = run_tree(record)
    return TaskRef.of(Path(record.spec), tree.started_in if tree else root, record.task_id)


def _shown(root: Path, path: str) -> str:
    return Path(path).relative_to(root).as_posix() if Path(path).is_relative_to(root) else path
