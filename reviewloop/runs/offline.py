"""An offline review (no model, no fixer) without the graph: the review graph's one round —
prepare, each reviewer on its chunks, triage — run in order by the graph's own steps
(`graph.steps.run_round`).

LangGraph and LangChain's model and tool classes take about as long to import as an offline
review's analyzers take to run, and with no model and no fix round there is nothing for them
to do: `runs.review` sends such a review here, and nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from reviewloop.agent.models import NO_MODELS
from reviewloop.agent.workspace import Workspace
from reviewloop.checks.suppressions.scope import Suppressions
from reviewloop.config import Settings
from reviewloop.git.repository import Repository
from reviewloop.graph.state import LoopState, ReviewStart
from reviewloop.graph.steps import RoundDeps, Update, round_suppressions, run_round
from reviewloop.policy.governance import load_policy, with_quality_gates
from reviewloop.policy.levers import repository_levers
from reviewloop.policy.trust import Trust
from reviewloop.reports.report import RunSummary
from reviewloop.reports.summary import Scope, review_summary
from reviewloop.review.classify import TrustedSide
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.round import Analyze, RoundSetup
from reviewloop.runs.streaming import Listener, PlainUpdate, told
from reviewloop.spec.steering_set import SteeringSet


@dataclass(frozen=True)
class OfflineReview:
    """What the round works with: the repository, the files it reads (`content`: a head
    commit's export, or the checkout), where the run's files go, the trusted configuration."""

    repo: Repository
    content: Path
    run_dir: Path
    settings: Settings
    agents: Sequence[AgentDefinition]
    analyze: Analyze | None
    config_root: Path | None = None
    trusted: TrustedSide = field(default_factory=TrustedSide)
    trust: Trust | None = None  # a pull request's: nothing in base..head suppresses
    reviewers_left_out: str | None = None  # over `[review] max_reviewers` (the report says)
    turned_off: Sequence[AgentDefinition] = ()  # reviewers an override disabled (said)


def review_offline(review: OfflineReview, start: ReviewStart, *, title: str,
                   progress: Listener | None = None) -> tuple[RunSummary, Suppressions]:
    """The summary of one round with the LLM off, and the suppressions it was judged by (the
    caller records the gates' findings by the same). The round's steps are the graph's
    (`graph.steps`), run one after another; `progress` hears of each as it would from the
    graph: prepare, each reviewer, triage."""
    setup, scope = _setup(review)
    deps = RoundDeps(setup=setup, trust=review.trust)
    given = {f.name: getattr(start, f.name) for f in fields(start)}
    final = run_round(LoopState(**given), deps, _Told(progress).step)
    return review_summary(scope, final, title=title), round_suppressions(deps, start.baseline,
                                                                         final.round)


class _Told:
    """Each step told to a `Listener` as the graph's stream tells it: started, finished
    with its update (as plain values), ended."""

    def __init__(self, listener: Listener | None):
        self.listener = listener
        self.count = 0

    def step(self, node: str, inputs: dict[str, Any], run: Callable[[], Update]) -> Update:
        self.count += 1
        task_id = f"offline-{self.count}"
        if self.listener is None:
            return run()
        self.listener.started(task_id, node, inputs)
        try:
            update = run()
            told(self.listener, node, PlainUpdate(update))
            return update
        finally:
            self.listener.ended(task_id)


def _setup(review: OfflineReview) -> tuple[RoundSetup, Scope]:
    """The round's setup and the summary's scope, as `runs.runner.deps_for` makes them for
    the graph, without a model."""
    governance = load_policy(review.config_root or review.repo.root, review.settings)
    settings = with_quality_gates(review.settings, governance)
    workspace = Workspace(root=review.content, sensitive=governance.sensitive)
    setup = RoundSetup(agents=review.agents, models=NO_MODELS, settings=settings,
                       workspace=workspace, repo=review.repo, run_dir=review.run_dir,
                       analyze=review.analyze, trusted=review.trusted,
                       steering=SteeringSet.load(review.run_dir), turned_off=review.turned_off)
    scope = Scope(repo=review.repo, workspace=workspace, spec_file=None,
                  governance=governance, prices=settings.prices, llm=False,
                  reviewers_left_out=review.reviewers_left_out,
                  levers=repository_levers(review.repo.root, settings.agents_dirs,
                                           settings.review.executed_files))
    return setup, scope
