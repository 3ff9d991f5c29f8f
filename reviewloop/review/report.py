"""The outcome of one run — verdict, JSON, Markdown and rich renderings — as pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reviewloop.findings import Finding, Severity

CLEAN = "clean"
LLM_OFF = "LLM reviewers off (analyzers only)"
FINDINGS_REMAIN = "findings remain"
NO_REVIEW = "no review ran"

# The top-level keys of `to_json`, in order; consumers (the Action, scripts) rely on them.
JSON_KEYS = ("verdict", "task", "files", "tests", "spec_progress", "rounds", "gates",
             "reviewers", "findings", "counts", "newly_eligible", "usage", "llm",
             "escalations", "skipped")


class ReviewerOutcome(BaseModel):
    """How one reviewer fared over the run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str
    status: Literal["ok", "failed", "skipped"]
    error: str | None = None
    findings_count: int = Field(default=0, ge=0)
    duration_s: float = Field(default=0.0, ge=0.0)
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)


class RunSummary(BaseModel):
    """Everything the present step shows about one task's run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str
    task_title: str = ""
    files_created: list[str] = Field(default_factory=list)
    files_modified: list[str] = Field(default_factory=list)
    passed_tests: int | None = None  # None: no test command ran or its count was unknown
    spec_progress: tuple[int, int] = (0, 0)  # (done, total)
    rounds: int = 0
    reviewers: list[ReviewerOutcome] = Field(default_factory=list)
    findings_fixed: list[Finding] = Field(default_factory=list)
    findings_remaining: list[Finding] = Field(default_factory=list)
    nits: list[Finding] = Field(default_factory=list)
    newly_eligible: list[str] = Field(default_factory=list)  # "id title" of unblocked tasks
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: some model had no known price
    llm: bool = False  # LLM reviewers on; off means analyzers only
    escalations: list[str] = Field(default_factory=list)
    gates: list[tuple[str, bool, str]] = Field(default_factory=list)  # (name, passed, summary)
    skipped: list[str] = Field(default_factory=list)  # "path: reason" of changed files not read

    @property
    def is_review(self) -> bool:
        """`reviewloop review` (no task, no spec, no commit) rather than a task run."""
        return self.task_id == REVIEW_ID

    @property
    def open_actionable(self) -> list[Finding]:
        """Remaining must_fix and should_fix findings (a stray nit does not block)."""
        return [f for f in self.findings_remaining if f.severity.actionable]

    def reviewers_with(self, status: str) -> list[str]:
        return [r.agent for r in self.reviewers if r.status == status]


REVIEW_ID = "review"


def verdict(summary: RunSummary) -> str:
    """"clean" only when every reviewer ran fine with the LLM on and nothing actionable is
    left; otherwise every reason it is not clean, joined by "; "."""
    reasons = []
    if failed_gates := [name for name, passed, _ in summary.gates if not passed]:
        reasons.append("gates failed: " + ", ".join(failed_gates))
    if not summary.reviewers:
        reasons.append(NO_REVIEW)
    if failed := summary.reviewers_with("failed"):
        reasons.append("reviewer failed: " + ", ".join(failed))
    if skipped := summary.reviewers_with("skipped"):
        reasons.append("reviewer skipped: " + ", ".join(skipped))
    if not summary.llm:
        reasons.append(LLM_OFF)
    if summary.open_actionable:
        reasons.append(FINDINGS_REMAIN)
    if summary.escalations and not summary.open_actionable:
        reasons.append(f"escalated ({len(summary.escalations)})")
    return "; ".join(reasons) or CLEAN


def redacted(summary: RunSummary) -> RunSummary:
    """The summary with every secret the scanner knows replaced in all of its text: findings,
    reviewer errors, gate summaries, escalations and the not-read list."""
    from reviewloop.checks.secrets.scanner import redact, redact_finding

    return summary.model_copy(update={
        **{k: [redact_finding(f) for f in getattr(summary, k)]
           for k in ("findings_remaining", "nits", "findings_fixed")},
        "reviewers": [r.model_copy(update={"error": redact(r.error)}) if r.error else r
                      for r in summary.reviewers],
        "gates": [(name, passed, redact(text)) for name, passed, text in summary.gates],
        "escalations": [redact(e) for e in summary.escalations],
        "skipped": [redact(s) for s in summary.skipped]})


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity value, every level present, most severe first."""
    found = [f.severity for f in findings]
    return {s.value: found.count(s) for s in Severity}


def cost_text(cost_usd: float | None) -> str:
    return "unknown" if cost_usd is None else f"${cost_usd:.4f}"


def to_json(summary: RunSummary) -> dict[str, Any]:
    """A plain-JSON dict with the keys of `JSON_KEYS`, for --json output and the Action."""
    done, total = summary.spec_progress
    data = {
        "verdict": verdict(summary),
        "task": {"id": summary.task_id, "title": summary.task_title},
        "files": {"created": list(summary.files_created),
                  "modified": list(summary.files_modified)},
        "tests": {"passed": summary.passed_tests},
        "spec_progress": {"done": done, "total": total},
        "rounds": summary.rounds,
        "gates": [{"name": n, "passed": p, "summary": s} for n, p, s in summary.gates],
        "reviewers": [r.model_dump(mode="json") for r in summary.reviewers],
        "findings": {
            "fixed": _dump(summary.findings_fixed),
            "remaining": _dump(summary.findings_remaining),
            "nits": _dump(summary.nits),
        },
        "counts": {
            "fixed": severity_counts(summary.findings_fixed),
            "remaining": severity_counts(summary.findings_remaining),
            "nits": len(summary.nits),
        },
        "newly_eligible": list(summary.newly_eligible),
        "usage": {"input_tokens": summary.input_tokens,
                  "output_tokens": summary.output_tokens, "cost_usd": summary.cost_usd},
        "llm": summary.llm,
        "escalations": list(summary.escalations),
        "skipped": list(summary.skipped),
    }
    return data


def _dump(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in sorted(findings, key=Finding.sort_key)]


# --- Markdown ---------------------------------------------------------------------------


def to_markdown(summary: RunSummary) -> str:
    """A Markdown report: headline, facts, findings by severity, reviewers, usage."""
    done, total = summary.spec_progress
    lines = [f"## {_heading(summary)}", "",
             f"**Verdict:** {verdict(summary)}", ""]
    if not summary.llm:
        lines += [f"> ⚠️ {LLM_OFF}: nothing in this report was reviewed by a model.", ""]
    lines += [
        f"- Files: {len(summary.files_created)} created, {len(summary.files_modified)} modified",
        f"- Tests passing: {_tests_text(summary.passed_tests)}",
        *([] if summary.is_review else [f"- Spec progress: {done}/{total}"]),
        f"- Review rounds: {summary.rounds}",
        f"- Findings fixed: {_counts_text(summary.findings_fixed)}",
        f"- Findings remaining: {_counts_text(summary.findings_remaining)}",
        f"- Nits: {len(summary.nits)}",
        f"- Tokens: {summary.input_tokens:,} in / {summary.output_tokens:,} out; "
        f"estimated cost {cost_text(summary.cost_usd)}",
        "",
    ]
    lines += _md_section("Gates", [
        f"- {'✅' if passed else '❌'} {name}: {text}" for name, passed, text in summary.gates])
    lines += _md_section("Remaining findings", _md_findings(summary.findings_remaining))
    lines += _md_section("Fixed", _md_findings(summary.findings_fixed))
    lines += _md_section("Nits", _md_findings(summary.nits))
    lines += _md_section("Reviewers", [_md_reviewer(r) for r in summary.reviewers])
    lines += _md_section("Escalations", [f"- {e}" for e in summary.escalations])
    lines += _md_section("Not read", [f"- {s}" for s in summary.skipped])
    lines += _md_section("Newly eligible tasks", [f"- {t}" for t in summary.newly_eligible])
    return "\n".join(lines).rstrip() + "\n"


def _heading(summary: RunSummary) -> str:
    if summary.is_review:
        return f"Review: {summary.task_title}"
    if summary.task_title:
        return f"Task {summary.task_id}: {summary.task_title}"
    return f"Task {summary.task_id}"


def _md_section(title: str, body: list[str]) -> list[str]:
    return [f"### {title}", "", *body, ""] if body else []


def _md_findings(findings: Sequence[Finding]) -> list[str]:
    return [f"- {f.severity.emoji} **{f.severity.label}** `{f.location}` {f.title} "
            f"({', '.join(f.agents)})" for f in sorted(findings, key=Finding.sort_key)]


def _md_reviewer(outcome: ReviewerOutcome) -> str:
    mark = {"ok": "✅", "failed": "❌", "skipped": "⏭️"}[outcome.status]
    error = f" — {outcome.error}" if outcome.error else ""
    return (f"- {mark} {outcome.agent}: {outcome.status}, {outcome.findings_count} "
            f"finding(s), {outcome.duration_s:.1f}s{error}")


def _counts_text(findings: Iterable[Finding]) -> str:
    counts = severity_counts(findings)
    return ", ".join(f"{Severity(k).emoji} {n} {Severity(k).label}" for k, n in counts.items())


def _tests_text(passed: int | None) -> str:
    return "unknown" if passed is None else str(passed)


# --- rich -------------------------------------------------------------------------------


def to_rich(summary: RunSummary) -> RenderableType:
    """A panel with the run's facts, then findings, reviewers and next tasks."""
    parts: list[RenderableType] = [_facts(summary)]
    if summary.findings_remaining:
        parts.append(findings_table(summary.findings_remaining, title="Remaining findings"))
    if summary.nits:
        parts.append(findings_table(summary.nits, title="Nits (not fixed)"))
    if summary.reviewers:
        parts.append(_reviewers_table(summary.reviewers))
    if summary.escalations:
        parts.append(Text("\n".join(f"⚠ {e}" for e in summary.escalations), style="yellow"))
    if summary.newly_eligible:
        parts.append(Text("Newly eligible: " + "; ".join(summary.newly_eligible)))
    clean = verdict(summary) == CLEAN
    title = Text(_heading(summary), style="bold")
    return Panel(Group(*parts), title=title, title_align="left",
                 border_style="green" if clean else "yellow")


def findings_table(findings: Iterable[Finding], *, title: str | None = None) -> Table:
    """Findings grouped by severity, most severe first, with a section line between groups."""
    table = Table(title=title, title_justify="left", expand=False)
    for name, kwargs in (("severity", {"no_wrap": True}), ("where", {"no_wrap": True}),
                         ("title", {"ratio": 1}), ("reported by", {}), ("id", {"no_wrap": True})):
        table.add_column(name, **kwargs)
    previous: Severity | None = None
    for finding in sorted(findings, key=Finding.sort_key):
        if previous is not None and finding.severity is not previous:
            table.add_section()
        previous = finding.severity
        table.add_row(f"{finding.severity.emoji} {finding.severity.label}",
                      Text(finding.location), Text(finding.title),
                      Text(", ".join(finding.agents)), finding.short_id)
    return table


def _facts(summary: RunSummary) -> Table:
    done, total = summary.spec_progress
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    result = verdict(summary)
    facts.add_row("verdict", Text(result, style="bold green" if result == CLEAN else "bold red"))
    if not summary.llm:
        facts.add_row("", Text(f"⚠ {LLM_OFF}", style="bold yellow"))
    facts.add_row("files", f"{len(summary.files_created)} created, "
                           f"{len(summary.files_modified)} modified")
    for label, names in (("  created", summary.files_created),
                         ("  modified", summary.files_modified)):
        if names:
            facts.add_row(label, Text(", ".join(names)))
    facts.add_row("tests", f"{_tests_text(summary.passed_tests)} passing")
    for index, (name, passed, text) in enumerate(summary.gates):
        facts.add_row("gates" if index == 0 else "",
                      Text(f"{'✓' if passed else '✗'} {name}: {text}",
                           style="green" if passed else "bold red"))
    if not summary.is_review:
        facts.add_row("spec progress", f"{done}/{total}")
    facts.add_row("review rounds", str(summary.rounds))
    facts.add_row("fixed", _counts_text(summary.findings_fixed))
    facts.add_row("remaining", _counts_text(summary.findings_remaining))
    facts.add_row("tokens", f"{summary.input_tokens:,} in / {summary.output_tokens:,} out, "
                            f"estimated cost {cost_text(summary.cost_usd)}")
    return facts


def _reviewers_table(reviewers: Sequence[ReviewerOutcome]) -> Table:
    table = Table(title="Reviewers", title_justify="left", expand=False)
    for name in ("agent", "status", "findings", "time", "tokens in/out", "error"):
        table.add_column(name, justify="right" if name in ("findings", "time") else "left")
    styles = {"ok": "green", "failed": "bold red", "skipped": "yellow"}
    for r in reviewers:
        table.add_row(Text(r.agent, style="bold red" if r.status == "failed" else ""),
                      Text(r.status, style=styles[r.status]), str(r.findings_count),
                      f"{r.duration_s:.1f}s", f"{r.input_tokens:,}/{r.output_tokens:,}",
                      Text(r.error or "", style="red"))
    return table
