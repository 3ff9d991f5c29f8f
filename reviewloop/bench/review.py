"""One case reviewed by one model: `reviewloop review --base P --head C`'s own code path
(`runs.review.review_change`), its summary kept as the bench scores it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.bench.cases import Case
from reviewloop.bench.store import CaseResult, Found, ReviewerUse
from reviewloop.config import ModelRoles, ModelRouting, Settings
from reviewloop.findings.ledger import Status
from reviewloop.reports.report import RunSummary
from reviewloop.review.evidence import analyze
from reviewloop.runs.review import DiffSource, NothingToReview, review_change
from reviewloop.runs.trusted import CONFIG_PATHS, TrustedConfig

if TYPE_CHECKING:
    from reviewloop.agent.models import ModelFactory


@dataclass(frozen=True)
class Reviewer:
    """A model as the bench runs it: its name, the settings it reviews with (the
    checkout's configuration and agents, this model) and the factory of its chat models."""

    model: str
    settings: Settings
    factory: ModelFactory


def measured(settings: Settings, model: str) -> Settings:
    """The checkout's settings with `model` answering every reviewer call and no other
    model: no fallback (its answers would be scored as `model`'s; a throttled call fails the
    case instead), no `models.<role>` or `model_routing` override putting another model in
    its place, no agent file's own `model` either (`[review] agent_models`)."""
    return settings.model_copy(update={"model": model, "fallback_model": None,
                                       "fallbacks": ModelRoles(), "models": ModelRoles(),
                                       "model_routing": ModelRouting(),
                                       "review": settings.review.model_copy(
                                           update={"agent_models": False})})


def review_case(root: Path, case: Case, reviewer: Reviewer,
                clock: Callable[[], float] = time.monotonic) -> CaseResult:
    """Review `case` as `review --base case.base --head case.head` does: the head's files
    from an export (the checkout is not touched), the change's own suppressions and
    classification untrusted (the base's count). One thing differs, on purpose: every case
    is reviewed with the checkout's reviewers and settings, the ones being measured, not
    with whatever configuration the old base commit had (its `sandbox` too: the analyzers
    are confined as the checkout's `review` confines them)."""
    trusted = TrustedConfig(reviewer.settings, root=None, base=case.base, head=case.head,
                            paths=CONFIG_PATHS)
    started = clock()
    summary = review_change(root, reviewer.settings, DiffSource(base=case.base,
                                                                head=case.head,
                                                                merge_base=False),
                            model_factory=reviewer.factory, llm=True,
                            analyze=partial(analyze, tests=None,
                                            sandbox=reviewer.settings.sandbox),
                            trusted=trusted,
                            replay=True)
    wall = round(clock() - started, 3)
    if isinstance(summary, NothingToReview):
        return CaseResult(case_id=case.id, model=reviewer.model, status="empty", wall_s=wall,
                          error=summary.message)
    return result_of(case, reviewer.model, summary, wall)


def result_of(case: Case, model: str, summary: RunSummary, wall: float) -> CaseResult:
    """What the bench keeps of a review: each report of each finding (a finding two
    reviewers reported counts for both), the reviewers' use, tokens, cost and time. A review
    in which a reviewer failed (its model call throttled, refused or unreadable) or another
    model answered is `failed`: not a measure of `model` on the case, retried next run."""
    found = list({(agent, r.file, r.start_line, r.end_line, r.title): Found(
        agent=agent, source=r.source, severity=r.severity.value, path=r.file,
        start_line=r.start_line, end_line=r.end_line, title=r.title, status=entry.status.value,
        level=r.level)
        for entry in summary.ledger.entries if entry.status is not Status.SUPPRESSED
        for r in entry.reports for agent in r.agents}.values())
    used = [ReviewerUse(agent=r.agent, status=r.status, findings=r.findings_count,
                        duration_s=r.duration_s, input_tokens=r.input_tokens,
                        output_tokens=r.output_tokens) for r in summary.reviewers]
    failure = not_measured(summary)
    return CaseResult(case_id=case.id, model=model,
                      status="reviewed" if failure is None else "failed",
                      findings=found if failure is None else [], reviewers=used,
                      input_tokens=summary.input_tokens, output_tokens=summary.output_tokens,
                      cost_usd=summary.cost_usd, wall_s=wall, error=failure)


def not_measured(summary: RunSummary) -> str | None:
    """Why a review does not measure its model: reviewers that failed, or a fallback model
    that answered in its place (never configured by the bench: `measured`)."""
    failed = [r for r in summary.reviewers if r.status == "failed"]
    if failed:
        called = sum(r.status != "skipped" for r in summary.reviewers)
        first = (failed[0].error or "failed").splitlines()[0][:300]
        return (f"{len(failed)} of {called} reviewer(s) failed "
                f"({', '.join(r.agent for r in failed)}), {failed[0].agent}: {first}")
    if summary.fallbacks:
        return f"another model answered: {'; '.join(summary.fallbacks)}"
    return None
