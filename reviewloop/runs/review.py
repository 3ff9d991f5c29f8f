"""`reviewloop review`: the reviewers (and optionally the fixer) on an existing change.

No implementer, no commit: the diff comes from git (working tree, index, or two refs) and
the result is a `RunSummary` for the terminal, JSON, Markdown, SARIF or a pull request.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.checks.suppressions.stale import stale_baseline
from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.findings.ledger import Health
from reviewloop.findings.rounds import RoundInput, Suppressor, record
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import ChangeSet, parse_diff, save_diff
from reviewloop.git.export import left_out
from reviewloop.git.export_links import left_out_links
from reviewloop.git.repository import Repository, Snapshot, TouchedFiles, open_repository
from reviewloop.git.staged import index_commit
from reviewloop.graph.state import STATE_VERSION, ReviewStart, limits_for
from reviewloop.memo import alive_throughout
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.reports.report import RunSummary, redacted
from reviewloop.reports.summary import counted, one_reason_each
from reviewloop.review.classify import TrustedSide
from reviewloop.review.definitions import AgentSet
from reviewloop.review.early import EarlyAnalysis
from reviewloop.review.evidence import AnalyzerReport, located
from reviewloop.review.matrix import with_file_checks
from reviewloop.review.readable import left_out_reasons, one_batch
from reviewloop.review.reviewer_set import load_reviewers
from reviewloop.runs import live_review
from reviewloop.runs.offline import OfflineReview, review_offline
from reviewloop.runs.path_scope import focused, limit
from reviewloop.runs.pull_request_change import (
    PullRequestChange,
    pr_change_trust,
    pr_changes,
    pull_request_change,
    trusted_side,
)
from reviewloop.runs.records import review_id, save_summary
from reviewloop.runs.registry import state_dir
from reviewloop.runs.source import DiffSource as DiffSource
from reviewloop.runs.source import empty_range, files_commit, head_tree
from reviewloop.runs.streaming import MODES, Listener, Tee, relaying
from reviewloop.runs.trace import TraceRecorder
from reviewloop.runs.trusted import TrustedConfig, config_findings
from reviewloop.spec.steering import STEERING_DIR, constitution_in
from reviewloop.spec.steering_set import SteeringSet
from reviewloop.state_dir import STATE_DIR

if TYPE_CHECKING:
    from reviewloop.agent.models import ModelFactory
    from reviewloop.checks.gates.registry import OnGate
    from reviewloop.graph.context import LoopDeps
    from reviewloop.graph.state import LoopState
    from reviewloop.policy.trust import Trust

# LangGraph and LangChain (the graph, the runner, the models) are imported inside
# `review_change`, once the analyzers run: loading them takes as long as an offline review.

@dataclass(frozen=True)
class NothingToReview:
    """The change is empty: not an error (exit 0), as with ruff and pre-commit. It is a
    result of `review_change`, never raised."""

    message: str


def review_change(root: Path, settings: Settings, source: DiffSource, *,
                  model_factory: ModelFactory, llm: bool, fix: bool = False,
                  diff_text: str | None = None,
                  analyze: Callable[..., AnalyzerReport] | None = None,
                  progress: Listener | None = None,
                  trusted: TrustedConfig | None = None,
                  repo: Repository | None = None,
                  replay: bool = False) -> RunSummary | NothingToReview:
    """Review the change `source` names; with `trusted`, agents and governance come from its
    root and a change to the configuration itself is flagged. With a head commit, analyzers,
    reviewers and gates read that commit's files (a temporary export), never the checkout.
    `repo`: the repository at `root` when the caller has it open already; `replay`: a
    bench's review of a past commit, kept apart from the project's (`records.is_replay`)."""
    repo = repo or open_repository(root)
    source.hold(repo)
    source.writable(repo, root)
    repo.ensure_ignored(STATE_DIR)
    if fix and source.head:
        raise UserInputError("--fix changes the working tree, not a commit",
                             where=source.describe(), fix="drop --head, or drop --fix")
    # a working tree's diff is read from the baseline's record of it (one record, not two);
    # the index's diff and files from one record of it
    baseline = repo.snapshot() if diff_text is None and source.working_tree else None
    staged = index_commit(repo) if source.staged else None
    if diff_text is None:
        diff_text = source.read(repo, baseline, staged)
    diff_text, outside = limit(diff_text, source.paths, source.describe())
    diff_text = focused(diff_text, source.focus)
    # parsed once, here, and passed on (round-1.diff holds the text as it is: the graph's
    # round parses the same text, git.diff's memo)
    changes = parse_diff(diff_text, source=source.describe())
    if not changes.paths and not _has_commits(repo, source):
        elsewhere = f" ({len(outside)} changed file(s) out of scope)" if outside else ""
        return NothingToReview(empty_range(repo, source)
                               or f"nothing to review: no change in the {source.describe()}"
                                  f"{elsewhere}")
    exported = files_commit(repo, source, staged, changes, fix=fix)
    # before any analyzer or test writes a file; a review of a commit's files reads nothing
    # of the working tree (they are its export): HEAD's own record stands for it
    baseline = baseline or (repo.head_snapshot() if exported else repo.snapshot())
    # the configuration refused (an agent file, a plugin's registry) leaves no review folder
    # that `report` and `stats` would call interrupted
    config_root = trusted.root if trusted else None
    agents = load_reviewers(config_root or root, settings)
    analyzers()
    run_id = review_id(replay=replay)
    run_dir = state_dir(root) / "reviews" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    with live_review.held(run_dir):  # until it ends, on every way out: `report` says it runs
        diff_path = run_dir / "round-1.diff"
        save_diff(diff_path, diff_text)
        trace = TraceRecorder(run_dir)  # the review's timeline (`reviewloop report --html`)
        progress = Tee(progress, trace)
        # steering is configuration: with a head commit, the base commit's (like the agents)
        SteeringSet.collect((config_root or root) / STEERING_DIR,
                            sensitive=is_sensitive,
                            constitution=constitution_in(config_root or root)).write(run_dir)
        early_analysis = EarlyAnalysis(analyze) if analyze is not None else _no_analysis()
        with head_tree(repo, exported, changes) as tree, early_analysis as early, \
                ExitStack() as batch:
            batch.enter_context(alive_throughout())  # the change and start-up live until the end
            content = tree if tree is not None else repo.root  # the exported commit's files
            if not fix:  # nothing writes to the trees while they are reviewed: each changed
                # file's place and kind are read once (`review.readable`)
                batch.enter_context(one_batch(content))
                batch.enter_context(one_batch(repo.root))
            pull_request = pull_request_change(repo, source, trusted, changes)
            side = trusted_side(source, pull_request)
            if early is not None:  # the trust the round's analyzers get (a local or base
                # side: no change is read for it)
                trust = side.for_analyzers(baseline.tree, lambda: changes, repo.root)
                early.start(agents.agents, diff_text, content, trust=trust)
            run = _Run(repo=repo, source=source, trusted=trusted, side=side, run_id=run_id,
                       run_dir=run_dir, diff_path=diff_path, changes=changes,
                       pull_request=pull_request, baseline=baseline, settings=settings,
                       agents=agents, content=content)
            if not llm and not fix:  # nothing for the graph to do: no model, no fix round
                summary, suppress = _offline(run, early, progress)
            else:
                summary, suppress = _graph_review(run, _deps(
                    root, settings, run_dir, model_factory, llm, early, config_root, agents,
                    content), fix, progress)
            summary = summary.model_copy(update={"ledger": with_file_checks(  # its own row
                summary.ledger, content, changes, left_out_links(repo, exported))})
            summary = with_gates(summary, content, settings, (diff_text, changes), suppress,
                                 on_gate=trace.gate, trust=side.for_analyzers(
                                     baseline.tree, lambda: changes, repo.root))
            if pull_request is not None:  # the branch's commits: a secret added, then removed
                summary = with_history(summary, repo, pull_request, changes, content, suppress,
                                       settings.gates.protected_branches)
            summary = with_findings(summary, config_findings(repo, trusted, pr_changes(
                trusted, pull_request)) if trusted else [], changes, content, suppress)
            summary = summary.model_copy(update={"stale_baseline": stale_baseline(
                suppress, summary.ledger, changes.paths, lambda p: (content / p).exists(),
                llm=llm)})
        listed = [*summary.files_created, *summary.files_modified, *summary.files_deleted]
        summary = redacted(summary.model_copy(update={  # printed, written, posted: nothing
            "skipped": [*outside, *one_reason_each([*summary.skipped, *left_out_reasons(
                left_out(repo.tree_listing(exported)) if exported else {}, changes.paths)])],
            # each file's +/− as the reviewed change has them, for every view
            "line_counts": summary.line_counts or counted(changes, listed),
            "run_id": run_id}))  # secret in any of it
        save_summary(run_dir, summary)  # `reviewloop report` and `stats` read it back
    return summary


def _has_commits(repo: Repository, source: DiffSource) -> bool:
    """Whether a range of commits (`--head`) has a commit of its own: one that added a secret
    and a later one that removed it leave no net change, and the history scan is still due
    (`checks.secrets.history`)."""
    if source.head is None:
        return False
    base = source.base or repo.default_base()
    return bool(repo.git("rev-list", "--max-count=1", "--end-of-options", source.head,
                         f"^{base}").strip())


@dataclass(frozen=True)
class _Run:
    """One review: the change, where its files are read and its own files go, its config."""

    repo: Repository
    source: DiffSource
    trusted: TrustedConfig | None
    side: TrustedSide  # whose file classification counts (`trusted_side`), worked out once
    run_id: str
    run_dir: Path
    diff_path: Path
    changes: ChangeSet  # the reviewed diff, parsed once
    pull_request: PullRequestChange | None  # with a head commit: all of base...head
    baseline: Snapshot
    settings: Settings
    agents: AgentSet
    content: Path

    def start(self, *, fix: bool) -> ReviewStart:
        """The review's input: without --fix, nothing goes to a fixer and nothing is
        escalated for being left open (the findings are the answer)."""
        return ReviewStart(schema_version=STATE_VERSION, run_id=self.run_id, task_id="review",
                           implementer="manual", agents=[a.name for a in self.agents.agents],
                           baseline=self.baseline, limits=limits_for(
                               self.settings, fix=fix).model_copy(update={"budget_usd": None}),
                           diff_path=str(self.diff_path), touched=_touched(self.changes))


def _offline(run: _Run, early: Callable[..., AnalyzerReport] | None,
             progress: Listener | None) -> tuple[RunSummary, Suppressor]:
    """The one round of a review with no model and no fixer, without the graph."""
    summary, found = review_offline(OfflineReview(
        repo=run.repo, content=run.content, run_dir=run.run_dir, settings=run.settings,
        agents=run.agents.agents, analyze=early,
        config_root=run.trusted.root if run.trusted else None,
        trusted=run.side,
        trust=pr_change_trust(run.repo, run.trusted, run.pull_request),
        reviewers_left_out=run.agents.left_out, turned_off=run.agents.turned_off),
        run.start(fix=False),
        title=run.source.describe(), progress=progress)
    return summary, found.suppress


@contextmanager
def _no_analysis() -> Iterator[None]:
    yield None


# LangGraph and LangChain load in the functions below, when the graph is about to run.

def _deps(root: Path, settings: Settings, run_dir: Path, model_factory: ModelFactory,
          llm: bool, early: Callable[..., AnalyzerReport] | None, config_root: Path | None,
          agents: AgentSet, content: Path) -> LoopDeps:
    from reviewloop.implement.implementer import Implementer
    from reviewloop.runs.runner import deps_for

    _freeze_imported()
    deps = deps_for(root, settings, run_dir=run_dir, spec_file=None,
                    implementer=Implementer("manual"), model_factory=model_factory,
                    llm=llm, analyze=early, config_root=config_root, agents=agents)
    return replace(deps, workspace=replace(deps.workspace, root=content))


@cache
def _freeze_imported() -> None:
    """Once per process, after LangGraph and LangChain are loaded: the million objects the
    imports made live as long as the process, and a full garbage collection walking them
    again cost ~0.3 s of a round's CPU; frozen, collections walk only the round's own."""
    gc.freeze()


def _graph_review(run: _Run, deps: LoopDeps, fix: bool, progress: Listener | None
                  ) -> tuple[RunSummary, Suppressor]:
    """The review graph's rounds (a model reviews, or a fixer fixes), and the suppressions
    the graph's triage judged by."""
    deps = replace(deps, trusted=run.side,  # a fix round judges base..the fixed tree
                   trust=pr_change_trust(run.repo, run.trusted, run.pull_request),
                   change_from=(run.source.base or run.baseline.base or "HEAD",
                                run.source.paths) if fix else None)
    start = run.start(fix=fix)
    summary = _reviewed(deps, start, progress, title=run.source.describe())
    # without --fix the graph ran one round and nothing wrote to the tree since its triage
    return summary, _suppressions(deps, start.baseline, None if fix else summary.rounds)


def _suppressions(deps: LoopDeps, baseline: Snapshot, round_no: int | None) -> Suppressor:
    """The suppressions for what is recorded after the graph (the gates, the configuration
    flags), judged as the graph's triage judges them: the triage's own of round `round_no`,
    or judged again (None: a fix may have changed the tree after the last triage)."""
    from reviewloop.graph.nodes import round_suppressions

    return round_suppressions(deps, baseline, round_no).suppress


def _reviewed(deps: LoopDeps, start: ReviewStart, progress: Listener | None, *,
              title: str) -> RunSummary:
    from reviewloop.graph.build import build_review_graph
    from reviewloop.graph.nodes import summary_scope
    from reviewloop.reports.summary import review_summary

    final = _run_graph(build_review_graph(), start, deps, progress)
    return review_summary(summary_scope(deps), final, title=title)


def _run_graph(graph: Any, start: ReviewStart, deps: LoopDeps, progress: Listener | None
               ) -> LoopState:
    from reviewloop.graph.state import LoopState

    final: dict[str, Any] = {}
    with relaying(progress) as relay:
        for mode, data in graph.stream(start, context=deps, stream_mode=[*MODES, "values"],
                                       config={"recursion_limit": 60, "max_concurrency": 8}):
            if mode == "values":
                final = data
            else:
                relay(mode, data)
    return LoopState(**final)


_REVIEW_GATES = ("secrets", "coverage")


def with_gates(summary: RunSummary, root: Path, settings: Settings,
               diff: tuple[str, ChangeSet], suppress: Suppressor, *,
               on_gate: OnGate | None = None, trust: Trust | None = None) -> RunSummary:
    """The guard-rails that make sense for a bare diff (secrets; coverage when strict):
    their results join the report and their findings the ledger, never dropped. `trust`:
    where the project's own config is read, as the analyzers read it."""
    from reviewloop.checks.gates import GateContext
    from reviewloop.checks.gates.registry import run_gates

    # the branch gate is not a review's: no git asked for branches (five processes)
    diff_text, changes = diff
    ctx = GateContext(root=root, settings=settings, changed_files=changes.paths,
                      diff_text=diff_text, branch=None, default_branch=None, phase="review",
                      parsed=changes, trust=trust)
    report = run_gates(ctx, _REVIEW_GATES, on_gate=on_gate)
    summary = summary.model_copy(update={
        "gates": [(r.name, r.passed, r.summary) for r in report.results]})
    return with_findings(summary, [f for r in report.results for f in r.findings], changes,
                         root, suppress)


def with_history(summary: RunSummary, repo: Repository, pull_request: PullRequestChange,
                 changes: ChangeSet, root: Path, suppress: Suppressor,
                 protected: Sequence[str]) -> RunSummary:
    """The secrets a commit of the branch added and a later one removed
    (`checks.secrets.history`): a row beside the secrets gate's, and must-fix findings."""
    from reviewloop.checks.secrets.history import branch_history

    found = branch_history(repo, pull_request.base, pull_request.head, pull_request.changes,
                           protected)
    summary = summary.model_copy(update={"gates": [
        *summary.gates, ("secret-history", not found.findings,
                         found.summary)]})
    if found.unread:  # commits past its limit, files too large to diff: not read, and so
        # counted in the verdict, the health and the exit code like a changed file's
        summary = summary.model_copy(update={"ledger": summary.ledger.with_health([Health(
            kind="analyzer", name="secret-history", status="ok", files=tuple(found.unread),
            unread=found.unread)])})
    return with_findings(summary, found.findings, changes, root, suppress)


def with_findings(summary: RunSummary, found: list[Finding], changes: ChangeSet,
                  root: Path, suppress: Suppressor) -> RunSummary:
    """`found` recorded in the ledger's last round: a finding already there is the same entry,
    one outside the change is shown as such, nothing already open is judged fixed."""
    if not found:
        return summary
    ledger = summary.ledger
    ledger = record(ledger, RoundInput(round=max(ledger.round, 1), reported=located(found, root),
                                       scope={p: changes.changed_lines(p)
                                              for p in changes.paths},
                                       removals={f.path: set(f.removals)
                                                 for f in changes.files}, health=(),
                                       suppress=suppress))
    return summary.model_copy(update={"ledger": ledger})


def blocking(summary: RunSummary, fail_on: str) -> bool:
    """Exit 1 when findings at or above `fail_on` remain, a reviewer or an analyzer
    failed, or a changed file was not analysed (`review.matrix`: its author chose that, by
    size, bytes, name or syntax). A missing analyzer (not installed) makes the verdict
    incomplete in every view, like LLM-off, without failing the check: installing it is the
    user's call."""
    if fail_on == "never":
        return False
    if summary.ledger.blocking(Severity(fail_on)) or summary.ledger.unanalysed():
        return True
    return any(r.status == "failed" for r in summary.reviewers) or any(
        h.status == "failed" for h in summary.incomplete)


def _touched(changes: ChangeSet) -> TouchedFiles:
    """Created, modified, deleted; a path deleted and added again (git's type change: a link
    made a file, or the reverse) was modified, as `git diff --raw` calls it."""
    added = {f.path for f in changes.files if f.status.value == "added"}
    gone = {f.path for f in changes.files if f.status.value == "deleted"}
    retyped = added & gone
    created = tuple(p for p in dict.fromkeys(changes.paths) if p in added and p not in retyped)
    deleted = tuple(p for p in dict.fromkeys(changes.paths) if p in gone and p not in retyped)
    either = {*created, *deleted}  # once: a 5,000-file change asks it 5,000 times
    modified = tuple(p for p in dict.fromkeys(changes.paths) if p not in either)
    return TouchedFiles(created=created, modified=modified, deleted=deleted)
