"""The outcome of one run: the summary model, its verdict and its JSON, as pure functions.

Findings come from the run's `Ledger` only; `reviewloop.reports.render` draws the same
summary as Markdown and for the terminal, `reviewloop.reports.sarif` as SARIF.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from reviewloop.agent.spend import usd
from reviewloop.checks.gates.base import NOT_RUN
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.review.matrix import incomplete_text, matrix

CLEAN = "clean"
LLM_OFF = "LLM reviewers off (analyzers only)"
FINDINGS_REMAIN = "findings remain"
NO_REVIEW = "no review ran"
TURNED_OFF = "turned off by "  # a reviewer an override disabled (`review.definitions`)
NOTHING = "nothing to review"

# The top-level keys of `to_json`, in order; consumers (the Action, scripts) rely on them.
JSON_KEYS = ("verdict", "task", "files", "tests", "spec_progress", "unfinished", "landed",
             "rounds", "gates", "reviewers", "health", "findings", "counts", "newly_eligible",
             "usage", "llm", "escalations", "skipped", "stale_baseline", "spec_restored",
             "ledger")


class ReviewerOutcome(BaseModel):
    """How one reviewer fared over the run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str
    status: Literal["ok", "failed", "skipped"]
    error: str | None = None
    reason: str | None = None  # why it was skipped (no file in its scope, nothing to run)
    findings_count: int = Field(default=0, ge=0)
    duration_s: float = Field(default=0.0, ge=0.0)
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)


# the validation context of a summary read back from a run's record (`RunSummary`)
STORED = {"stored": True}


class RunSummary(BaseModel):
    """Everything the present step shows about one task's run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str
    task_title: str = ""
    run_id: str = ""  # its folder under .reviewloop/ (`reviewloop report RUN`); "" if unknown
    # `list[str]`, not `list`, as every list's factory: pydantic reads a factory's signature,
    # and a builtin's from its text with `tokenize` (~2 ms the first time, at import)
    files_created: list[str] = Field(default_factory=list[str])
    files_modified: list[str] = Field(default_factory=list[str])
    files_deleted: list[str] = Field(default_factory=list[str])
    passed_tests: int | None = None  # None: no test command ran or its count was unknown
    spec_progress: tuple[int, int] = (0, 0)  # (done, total)
    rounds: int = 0
    reviewers: list[ReviewerOutcome] = Field(default_factory=list[ReviewerOutcome])
    ledger: Ledger = Field(default_factory=Ledger)  # every finding and health: the truth
    newly_eligible: list[str] = Field(default_factory=list[str])  # "id title" of unblocked tasks
    input_tokens: int = 0  # cache reads and writes included
    output_tokens: int = 0
    cache_read_tokens: int = 0  # of the input, read from the provider's prompt cache
    cache_write_tokens: int = 0  # of the input, written to it
    cost_usd: float | None = None  # None: some model had no known price
    llm: bool = False  # LLM reviewers on; off means analyzers only
    # "role: fallback answered N call(s) instead of primary …", one per role that fell back
    fallbacks: list[str] = Field(default_factory=list[str])
    escalations: list[str] = Field(default_factory=list[str])
    # (name, passed, summary) of each gate
    gates: list[tuple[str, bool, str]] = Field(default_factory=list[tuple[str, bool, str]])
    skipped: list[str] = Field(default_factory=list[str])  # "path: reason" of files not read
    # baseline entries the review could have used and matched nothing (`suppressions.stale`)
    stale_baseline: list[str] = Field(default_factory=list[str])
    # "id title: what" of other tasks' lines of the spec an agent changed, put back
    spec_restored: list[str] = Field(default_factory=list[str])
    # reviewers over `[review] max_reviewers`, not run (also an escalation naming them)
    reviewers_left_out: str | None = None
    line_counts: dict[str, tuple[int, int]] = Field(default_factory=dict)  # path: (+, -)
    # what its registry says now, read by `reviewloop report` (None: nothing to add): why a
    # task run stopped before its end (its process gone), and where an approved one landed
    unfinished: str | None = None
    landed: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _ledger_kept(cls, data: Any, info: ValidationInfo) -> Any:
        """A summary read back (`STORED` context) holds its ledger: without it the file is
        damaged, not a run that found nothing."""
        if isinstance(info.context, dict) and info.context.get("stored") and \
                isinstance(data, dict) and "ledger" not in data:
            raise pydantic_core.PydanticCustomError(
                "missing_ledger", "its ledger (every finding of the run) is missing: the file is "
                "damaged; run the review again or delete its folder")
        return data

    @property
    def is_review(self) -> bool:
        """`reviewloop review` (no task, no spec, no commit) rather than a task run."""
        return self.task_id == REVIEW_ID

    # Views of the ledger, most severe first.
    @property
    def findings_remaining(self) -> list[Finding]:
        """Open or escalated must_fix and should_fix findings."""
        return [e.finding for e in self.ledger.unresolved if e.severity.actionable]

    @property
    def nits(self) -> list[Finding]:
        """Open nits: reported, never fixed."""
        return [e.finding for e in self.ledger.unresolved if not e.severity.actionable]

    @property
    def findings_fixed(self) -> list[Finding]:
        return self.ledger.findings(Status.FIXED)

    @property
    def open_actionable(self) -> list[Finding]:
        """Remaining must_fix and should_fix findings (a stray nit does not block)."""
        return self.findings_remaining

    @property
    def incomplete(self) -> list[Health]:
        """Analyzers that did not run (reviewers are judged by `reviewers`)."""
        return [h for h in self.ledger.incomplete() if h.kind == "analyzer"]

    def reviewers_with(self, status: str) -> list[str]:
        return [r.agent for r in self.reviewers if r.status == status]


REVIEW_ID = "review"
LEFT_OUT = "reviewers not run (over [review] max_reviewers)"


def _why(health: Health) -> str:
    """The status, or the reason when it says the analyzer did not run yet (still
    installing in the background: the next review will have it)."""
    reason = health.reason or ""
    return reason.split(" (", 1)[0] if reason.startswith("not run:") else health.status


def verdict(summary: RunSummary) -> str:
    """"clean" only when every reviewer ran fine with the LLM on and nothing actionable is
    left; otherwise every reason it is not clean (`verdict_reasons`), joined by "; "."""
    said = "; ".join(verdict_reasons(summary)) or CLEAN
    return f"landed: {summary.landed}; {said}" if summary.landed else said


def verdict_reasons(summary: RunSummary) -> list[str]:
    """Every reason the run is not clean, none when it is. A reviewer `skipped` had no
    changed file in its scope (its definition, read from the trusted side): it has nothing
    to say about this change, which is not a reason against it."""
    if nothing_reviewed(summary):
        return [NOTHING]
    reasons = [f"unfinished: {summary.unfinished}"] if summary.unfinished else []
    if failed_gates := [name for name, passed, _ in summary.gates if not passed]:
        reasons.append("gates failed: " + ", ".join(failed_gates))
    # tests no command ran: the gate passed, the run is not verified (`gates.not_run`)
    reasons += ["incomplete: " + text.removeprefix("not verified: ").split("; fix:")[0]
                for _, passed, text in summary.gates if passed and text.startswith(NOT_RUN)]
    if all((r.reason or "").startswith(TURNED_OFF) for r in summary.reviewers) \
            and not summary.unfinished:  # a run stopped midway says so, not "no review"
        reasons.append(NO_REVIEW)  # none, or only those an override turned off
    if failed := summary.reviewers_with("failed"):
        reasons.append("reviewer failed: " + ", ".join(failed))
    if summary.reviewers_left_out:
        reasons.append(LEFT_OUT)
    if broken := summary.incomplete:
        reasons.append("incomplete: " + ", ".join(f"analyzer {h.label} {_why(h)}"
                                                  for h in broken))
    if unread := incomplete_text(summary.ledger):
        reasons.append(unread)
    if not summary.llm:
        reasons.append(LLM_OFF)
    if remain := bool(summary.open_actionable):
        reasons.append(FINDINGS_REMAIN)
    if summary.escalations and not remain:
        reasons.append(f"escalated ({len(summary.escalations)})")
    return reasons


def nothing_to_review(message: str, skipped: Sequence[str]) -> RunSummary:
    """The report of an empty change (exit 0), so that --output and --sarif files exist and
    a JSON consumer reads a document: no file, no reviewer, no health row; the paths the
    working tree left out are still `skipped`. The title is the message's first line: its
    `fix:` lines are the terminal's, not a heading's (a PR comment, a job summary)."""
    title = (message.splitlines() or [message])[0]
    return RunSummary(task_id=REVIEW_ID, task_title=title, skipped=list(skipped))


def nothing_reviewed(summary: RunSummary) -> bool:
    """A review whose change held nothing: every changed file has a row in the coverage
    matrix (`review/matrix`), so a review of one has health (a review still running has
    none yet: it is unfinished, not empty). Nothing is open then; a pull request pushed
    back to its base keeps what was posted before as fixed or no longer in it."""
    return (summary.is_review and not summary.reviewers and not summary.ledger.health
            and not summary.ledger.unresolved and not summary.unfinished)


def redacted(summary: RunSummary) -> RunSummary:
    """The summary with every secret the scanner knows replaced in all of its text: findings,
    reviewer errors, gate summaries, escalations and the not-read list."""
    from reviewloop.checks.secrets.scanner import redact

    return summary.model_copy(update={
        "ledger": redacted_ledger(summary.ledger),
        "reviewers": [r.model_copy(update={"error": redact(r.error)}) if r.error else r
                      for r in summary.reviewers],
        "gates": [(name, passed, redact(text)) for name, passed, text in summary.gates],
        "escalations": [redact(e) for e in summary.escalations],
        "skipped": [redact(s) for s in summary.skipped]})


def redacted_ledger(ledger: Ledger) -> Ledger:
    """The ledger with every finding's text, every reason and health message redacted."""
    from reviewloop.checks.secrets.scanner import redact, redact_finding

    entries = [_redacted_entry(e, redact, redact_finding) for e in ledger.entries]
    health = [h.model_copy(update={"reason": redact(h.reason) if h.reason else None,
                                   "unread": {p: redact(w) for p, w in h.unread.items()}})
              if h.reason or h.unread else h for h in ledger.health]
    return ledger.model_copy(update={"entries": entries, "health": health})


def _redacted_entry(entry: Entry, redact: Callable[[str], str],
                    redact_finding: Callable[[Finding], Finding]) -> Entry:
    """The entry with its findings and reasons redacted; the entry itself when nothing in it
    changes (most: a copy of each of 5,000 entries and their histories cost more than the
    redaction)."""
    finding = redact_finding(entry.finding)
    # a lone report is the entry's finding itself (`findings.rounds`): redacted once
    reports = [finding if r is entry.finding else redact_finding(r) for r in entry.reports]
    history = [t if (reason := redact(t.reason)) == t.reason
               else t.model_copy(update={"reason": reason}) for t in entry.history]
    if finding is entry.finding and all(map(operator.is_, reports, entry.reports)) \
            and all(map(operator.is_, history, entry.history)):
        return entry
    return entry.model_copy(update={"finding": finding, "reports": reports, "history": history})


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity value, every level present, most severe first."""
    found = [f.severity for f in findings]
    return {s.value: found.count(s) for s in Severity}


def cost_text(cost_usd: float | None) -> str:
    return "unknown" if cost_usd is None else usd(cost_usd)


def to_json(summary: RunSummary, *, models: bool = False) -> dict[str, Any]:
    """A plain-JSON dict with the keys of `JSON_KEYS`, for --json output and the Action.
    With `models`, the findings, reviewers and ledger stay pydantic models for
    `pydantic_core.to_json` to write as they are (`json_bytes`): the same JSON, without a
    dict built first for each of thousands of findings."""
    dump: Callable[[BaseModel], Any] = (lambda m: m) if models else _plain
    done, total = summary.spec_progress
    # each view sorts the whole ledger: asked once each
    fixed, remaining, nits = summary.findings_fixed, summary.findings_remaining, summary.nits
    out_of_scope = _entries(summary.ledger, Status.OUT_OF_SCOPE)
    suppressed = _entries(summary.ledger, Status.SUPPRESSED)
    data = {
        "verdict": verdict(summary),
        "task": {"id": summary.task_id, "title": summary.task_title},
        "files": {"created": list(summary.files_created),
                  "modified": list(summary.files_modified),
                  "deleted": list(summary.files_deleted)},
        "tests": {"passed": summary.passed_tests},
        "spec_progress": {"done": done, "total": total},
        "unfinished": summary.unfinished, "landed": summary.landed,
        "rounds": summary.rounds,
        "gates": [{"name": n, "passed": p, "summary": s} for n, p, s in summary.gates],
        "reviewers": [dump(r) for r in summary.reviewers],
        "health": {"complete": summary.ledger.complete and not summary.unfinished,
                   "reviewers": _health(summary.ledger, "reviewer"),
                   "analyzers": _health(summary.ledger, "analyzer"),
                   "files": [dump(row) for row in matrix(summary.ledger)]},
        "findings": {
            "fixed": _dump(fixed, dump),
            "remaining": _dump(remaining, dump),
            "nits": _dump(nits, dump),
            "out_of_scope": out_of_scope,
            "suppressed": suppressed,
        },
        "counts": {
            "fixed": severity_counts(fixed),
            "remaining": severity_counts(remaining),
            "nits": len(nits),
            "out_of_scope": len(out_of_scope),
            "suppressed": len(suppressed),
        },
        "newly_eligible": list(summary.newly_eligible),
        "usage": {"input_tokens": summary.input_tokens,
                  "output_tokens": summary.output_tokens,
                  "cache_read_tokens": summary.cache_read_tokens,
                  "cache_write_tokens": summary.cache_write_tokens,
                  "cost_usd": summary.cost_usd,
                  "fallbacks": list(summary.fallbacks)},
        "llm": summary.llm,
        "escalations": list(summary.escalations),
        "skipped": list(summary.skipped),
        "stale_baseline": list(summary.stale_baseline),
        "spec_restored": list(summary.spec_restored),
        "ledger": dump(summary.ledger),
    }
    return data


def json_bytes(summary: RunSummary) -> bytes:
    """`to_json` as indented UTF-8 JSON, written by pydantic-core in Rust: `json.dumps`
    with an indent runs in pure Python, over a second for 5,000 findings (17 MB). Only a
    float may be spelled differently from `json.dumps` (2.2e-05 as 0.000022)."""
    return pydantic_core.to_json(to_json(summary, models=True), indent=2, by_alias=False) + b"\n"


def _plain(model: BaseModel) -> Any:
    return model.model_dump(mode="json")


def _health(ledger: Ledger, kind: str) -> list[dict[str, Any]]:
    return [h.model_dump(mode="json", exclude={"kind"}) for h in ledger.health if h.kind == kind]


def _entries(ledger: Ledger, status: Status) -> list[dict[str, Any]]:
    """Findings in `status` with the reason (and what suppressed them)."""
    return [{**e.finding.model_dump(mode="json"), "reason": e.reason,
             "suppression": e.suppression.model_dump(mode="json") if e.suppression else None}
            for e in ledger.with_status(status)]


def _dump(findings: Sequence[Finding], dump: Callable[[BaseModel], Any] = _plain) -> list[Any]:
    return [dump(f) for f in sorted(findings, key=Finding.sort_key)]
