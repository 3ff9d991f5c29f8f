"""The loop's checkpointed state: typed, serialisable values only.

Large blobs stay out: diffs are written under `.reviewloop/runs/<run>/` and referenced by
path; file contents are never copied in. Every value is a plain value or one of the
pydantic models listed in `STATE_TYPES`, the only classes a checkpoint may revive.

`STATE_VERSION` is stored with every run; a checkpoint written by another shape of this
state is refused on resume (`reviewloop.runs.runner`), never half-read.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict

from reviewloop.agent.models import UsageRecord
from reviewloop.checks.gates.base import GateReport
from reviewloop.config import Settings
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.schema import Finding
from reviewloop.git.repository import Snapshot, TouchedFiles
from reviewloop.reports.report import RunSummary
from reviewloop.review.reviewer import ReviewerOutcome

# 1: untyped dicts (before the typed state; such checkpoints carry no version). 2: this.
STATE_VERSION = 2


class Limits(BaseModel):
    """Every limit of a run, fixed when it starts: the routers read them from here only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_retries: int
    """Attempts after the first when the gates fail: implement again, or fix again."""
    max_rounds: int
    """Review rounds at most; the last one is not followed by a fix."""
    budget_usd: float | None = None
    """What the run may spend on models; None: no budget."""
    fix: bool = True
    """Whether open findings go to the fixer at all (`reviewloop review` without --fix: no)."""


def limits_for(settings: Settings, *, fix: bool = True) -> Limits:
    """The run's limits, read from settings once, when it starts."""
    return Limits(max_retries=settings.gates.max_retries, max_rounds=settings.max_rounds,
                  budget_usd=settings.budget_usd, fix=fix)


@dataclass(kw_only=True)
class InputState:
    """What a run starts from."""

    schema_version: int
    """`STATE_VERSION` of the code that started the run."""
    run_id: str
    """The run, also the LangGraph thread id."""
    task_id: str
    """The spec task the run implements ("review" for `reviewloop review`)."""
    implementer: str = "llm"
    """"llm" | "manual" | "cmd:<command line>"."""
    agents: list[str] = field(default_factory=list)
    """Reviewer names, fixed when the run starts."""
    baseline: Snapshot
    """The git snapshot the change is measured from, taken before anything runs."""
    limits: Limits
    """Retries, rounds, budget and whether fixing is on."""


@dataclass(kw_only=True)
class ReviewStart(InputState):
    """`reviewloop review` starts at a given diff instead of implementing one."""

    diff_path: str
    """The diff of round 1."""
    touched: TouchedFiles
    """The files that diff changes."""


@dataclass(kw_only=True)
class FixStart(InputState):
    """A pull request's `/reviewloop fix`: the loop starts at the fix, from the PR's ledger."""

    ledger: Ledger
    """The pull request's findings as posted (open ones to fix, the rest for the record)."""
    actionable: list[Finding]
    """The findings the command asks to fix: the fixer's first work list."""
    diff_path: str
    """The pull request's diff (base...head) the findings were reported on."""


@dataclass(kw_only=True)
class ReviewTask:
    """One reviewer on one chunk of a round: the input of a `review` (`Send`) branch."""

    review_agent: str
    """The reviewer's name."""
    review_chunk: int
    """Which chunk of the round's material it reads."""
    round: int
    """The review round."""
    material_path: str
    """The round's prepared chunks and evidence."""
    context_path: str
    """The task context (round 1 reads it)."""
    addressed: list[Finding]
    """The findings the latest fix targeted (round 2 on)."""
    baseline: Snapshot
    """The run's baseline."""
    fixing: bool = False
    """A fixer may follow: the reviewer declares the round's tools, fixer's included
    (`agent.round_tools`), so that the fixer reads the prefix the reviewers cached."""
    together: list[str] = field(default_factory=list)
    """The other re-reviewers asked in the same call (`review.rereview`): one outcome each."""


@dataclass(kw_only=True)
class LoopState(InputState):
    """The run as it goes: what it changed, what the gates and reviewers said, what is next."""

    context_path: str = ""
    """The rendered task context, written once."""
    attempts: int = 0
    """Implement attempts so far."""
    implementer_final: bool = False
    """The implementer cannot do better on another attempt (a `cmd:` the shell did not
    find, exit 127): escalated after its gates, never retried nor reviewed."""
    gate_report: GateReport | None = None
    """The latest gate report (a fix's re-test merged into it)."""
    round: int = 1
    """The review round, 1-based."""
    diff_path: str = ""
    """The diff the current round reviews ("" when a fix changed nothing)."""
    touched: TouchedFiles = field(default_factory=TouchedFiles)
    """Files created, modified and deleted over the whole run."""
    artifacts: list[str] = field(default_factory=list)
    """Paths the gates' builds and test runs made: never part of the change."""
    material_path: str = ""
    """The round's prepared chunks and evidence (`RoundMaterial`)."""
    assignments: list[tuple[str, int]] = field(default_factory=list)
    """(reviewer, chunk) pairs of the round: one `review` branch each."""
    together: list[tuple[int, list[str]]] = field(default_factory=list)
    """(chunk, reviewers) of the round asked in one call, round 2 on (`review.rereview`)."""
    review_stopped: str | None = None
    """Why the round's reviewers did not start (its estimate was over the cost limit)."""
    not_reviewed: list[str] = field(default_factory=list)
    """"path: reason" for changed files no reviewer saw, all rounds."""
    spec_restored: list[str] = field(default_factory=list)
    """"id title: what" of other tasks' spec lines an agent changed, put back (`spec.overreach`)."""
    reviews: Annotated[list[ReviewerOutcome], operator.add] = field(default_factory=list)
    """Every reviewer outcome of every round; parallel branches append, triage filters."""
    usage: Annotated[list[UsageRecord], operator.add] = field(default_factory=list)
    """Every model reply's token usage."""
    ledger: Ledger = field(default_factory=Ledger)
    """Every finding of the run and its lifecycle: the one source for every view."""
    actionable: list[Finding] = field(default_factory=list)
    """The fixer's work list: the ledger's open must/should-fix findings."""
    addressed: list[Finding] = field(default_factory=list)
    """The findings the latest fix worked on."""
    fix_baseline: Snapshot | None = None
    """The snapshot saved before the latest fix: a crash mid-fix resumes against it."""
    fix_stopped: str | None = None
    """Why the latest fix starts no new round (it failed, or changed nothing)."""
    passed_tests: int | None = None
    """The last green test count."""
    over_budget: str | None = None
    """Set once the run has spent its budget: the escalation that says so."""
    escalations: list[str] = field(default_factory=list)
    """Why a human must decide (gates failed, findings left open, budget spent, …)."""
    summary: RunSummary | None = None
    """What the approval question shows."""
    decision: Literal["approve", "reject"] | None = None
    """The human's answer."""
    commit: str | None = None
    """The run's commit, then the landed one."""
    notices: list[str] = field(default_factory=list)
    """What landing tells the user (a file of theirs it left alone)."""
    outcome: Literal["committed", "declined"] | None = None
    """How the run ended."""


def _revived(roots: tuple[type, ...]) -> tuple[type, ...]:
    """`roots` and every model and enum their fields hold, however deep."""
    found: list[type] = []
    todo = list(roots)
    while todo:
        kind = todo.pop()
        if kind in found:
            continue
        found.append(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            for info in kind.model_fields.values():
                todo += [t for t in _classes(info.annotation) if t not in found]
    return tuple(found)


def _classes(annotation: object) -> list[type]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | Enum):
        return [annotation]
    return [c for arg in get_args(annotation) for c in _classes(arg)]


# The classes a checkpoint of this state holds: the savers revive these and nothing else.
STATE_TYPES: tuple[type, ...] = _revived((
    Limits, Snapshot, TouchedFiles, GateReport, ReviewerOutcome, UsageRecord, Ledger,
    Finding, RunSummary, ReviewTask))


def round_reviews(state: LoopState, round_no: int) -> list[ReviewerOutcome]:
    return [r for r in state.reviews if r.round == round_no]
