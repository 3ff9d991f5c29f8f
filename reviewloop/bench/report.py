"""The bench report's shape (`reviewloop bench --format json`, docs/schemas/bench.schema.json):
figures per model and per reviewer, then every case with what each model found on it.

Flat, named figures and one list per level (models → reviewers; cases → results), so a
table, an HTML page or a notebook reads it without knowing how it was computed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewloop.bench.cases import Label

BENCH_VERSION = 1
NOTE = ("A hit is a case where a finding lands on, or within `near` lines of, a line the later "
        "fix touched. Findings on unlabelled lines are unconfirmed, not false: the labels come "
        "from later fixes (SZZ) or a labelled set, and are noisy and incomplete.")


class Tally(BaseModel):
    """One model's or one reviewer's figures over the cases it reviewed."""

    model_config = ConfigDict(extra="forbid")

    cases: int = Field(description="Cases reviewed (for a reviewer: cases it was called on).")
    hits: int = Field(description="Cases with at least one finding on or near a labelled line.")
    hit_rate: float | None = Field(description="hits / cases; null with no case.")
    findings: int = Field(description="Findings reported (each reporter counted).")
    findings_per_case: float | None
    labelled_findings: int = Field(description="Findings on or near a labelled line.")
    must_fix: int = Field(description="Blocking (must_fix) findings.")
    must_fix_on_labels: int = Field(description="Blocking findings on or near a labelled line.")
    must_fix_share: float | None = Field(
        description="must_fix_on_labels / must_fix: the share of blocking findings that land "
        "on a labelled line; null with no blocking finding.")
    input_tokens: int
    output_tokens: int
    tokens_per_case: float | None
    seconds: float = Field(description="Wall time (for a reviewer: its own call time).")
    seconds_per_case: float | None
    failed: int = Field(description="Failed reviews (for a reviewer: its failed calls).")


class ReviewerTally(Tally):
    reviewer: str = Field(description="The reviewer agent (its analyzers' findings included).")


class ModelTally(Tally):
    model: str
    cost_usd: float | None = Field(description="Dollars spent; null when the model has no "
                                   "known price.")
    cost_per_case: float | None
    reviewers: list[ReviewerTally]


class BenchFinding(BaseModel):
    """A finding of a case's review, as the bench keeps it (`store.Found`) and reports it
    (`FindingOutcome`)."""

    agent: str
    source: str
    severity: str
    path: str
    start_line: int
    end_line: int
    title: str
    level: Literal["line", "symbol", "file"] = Field(
        default="line",
        description="What it is about; only a line finding can land on a labelled line.")


class FindingOutcome(BenchFinding):
    """A finding of a case's review, and whether it lands on a label."""

    model_config = ConfigDict(extra="forbid")

    on_label: bool


class CaseOutcome(BaseModel):
    """One model's review of one case."""

    model_config = ConfigDict(extra="forbid")

    model: str
    status: Literal["reviewed", "empty", "failed", "pending"]
    hit: bool
    hit_by: list[str] = Field(description="Reviewers with a finding on or near a label.")
    findings: list[FindingOutcome]
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    wall_s: float
    error: str | None = None


class CaseReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    source: Literal["history", "jsonl"]
    base: str
    head: str
    fixes: list[str]
    description: str | None
    labels: list[Label]
    results: list[CaseOutcome]


class BenchReport(BaseModel):
    """`reviewloop bench`'s result."""

    model_config = ConfigDict(extra="forbid")

    version: int = BENCH_VERSION
    name: str = Field(description="The bench's name: its store is .reviewloop/bench/<name>/.")
    near: int = Field(description="How many lines from a labelled line still count as on it.")
    note: str = NOTE
    cases: int = Field(description="Cases selected (after --limit).")
    pending: int = Field(description="(case, model) pairs not reviewed yet (a stop or a kill).")
    stopped: str | None = Field(description="Why the bench stopped early; null when complete.")
    fixes: int = Field(description="Fix commits found in the history (0 with --cases).")
    skipped: list[str] = Field(description="Fixes and lines that gave no case, and why.")
    models: list[ModelTally]
    case_results: list[CaseReport]
