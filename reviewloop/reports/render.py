"""The run summary as Markdown and as a rich panel: views of the ledger, pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reviewloop.findings.ledger import Entry, Health, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.report import (
    CLEAN,
    LLM_OFF,
    ReviewerOutcome,
    RunSummary,
    cost_text,
    severity_counts,
    verdict,
)
from reviewloop.review.evidence import NOTHING_TO_ANALYZE

MAX_TERMINAL_ROWS = 25  # per table of out-of-scope or suppressed findings; JSON has them all


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
        f"- Tokens: {tokens_text(summary)}; estimated cost {cost_text(summary.cost_usd)}",
        "",
    ]
    lines += _md_section("Files", [f"- `{p}` +{a} −{r}"
                                   for p, (a, r) in summary.line_counts.items()])
    lines += _md_section("Gates", [
        f"- {'✅' if passed else '❌'} {name}: {text}" for name, passed, text in summary.gates])
    lines += _md_section("Remaining findings", _md_findings(summary.findings_remaining))
    lines += _md_section("Fixed", _md_findings(summary.findings_fixed))
    lines += _md_section("Nits", _md_findings(summary.nits))
    lines += _md_section("Outside the change", _md_entries(summary, Status.OUT_OF_SCOPE))
    lines += _md_section("Suppressed", _md_entries(summary, Status.SUPPRESSED))
    lines += _md_section("Reviewers", [_md_reviewer(r) for r in summary.reviewers])
    lines += _md_section("Analyzers", [_md_health(h) for h in _analyzers(summary)])
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


def _md_entries(summary: RunSummary, status: Status) -> list[str]:
    return [f"- {e.severity.emoji} `{e.finding.location}` {e.finding.title} "
            f"({', '.join(e.reporters)}) — {_why(e)}"
            for e in summary.ledger.with_status(status)]


def _why(entry: Entry) -> str:
    if entry.suppression is None:
        return entry.reason
    s = entry.suppression
    by = f" by {s.by}" if s.by else ""
    because = f": {s.reason}" if s.reason else ""
    return f"{s.kind} suppression at {s.where}{by}{because}"


def _analyzers(summary: RunSummary) -> list[Health]:
    return [h for h in summary.ledger.health if h.kind == "analyzer"]


def _md_health(health: Health) -> str:
    mark = {"ok": "✅", "skipped": "⏭️", "missing": "⚠️", "failed": "❌"}[health.status]
    reason = f" — {health.reason}" if health.reason else ""
    return f"- {mark} {health.label}: {health.status}{reason}"


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
    if summary.findings_fixed:
        parts.append(findings_table(summary.findings_fixed, title="Fixed findings"))
    if summary.nits:
        parts.append(findings_table(summary.nits, title="Nits (not fixed)"))
    for status, title in ((Status.OUT_OF_SCOPE, "Outside the change (not acted on)"),
                          (Status.SUPPRESSED, "Suppressed")):
        if entries := summary.ledger.with_status(status):
            parts.append(_entries_table(entries, title))
    if summary.reviewers:
        parts.append(_reviewers_table(summary.reviewers))
    if broken := [h for h in _analyzers(summary) if not h.complete]:
        parts.append(Text("\n".join(f"✗ analyzer {h.label} {h.status}: {h.reason}"
                                     for h in broken), style="bold red"))
    if off := [h for h in _analyzers(summary)
               if h.status == "skipped" and h.reason != NOTHING_TO_ANALYZE]:
        parts.append(Text("\n".join(f"⏭ analyzer {h.label} not run: {h.reason}" for h in off),
                          style="dim"))
    if summary.escalations:
        parts.append(Text("\n".join(f"⚠ {e}" for e in summary.escalations), style="yellow"))
    if summary.newly_eligible:
        parts.append(Text("Newly eligible: " + "; ".join(summary.newly_eligible)))
    clean = verdict(summary) == CLEAN
    heading = Text(_heading(summary), style="bold")
    return Panel(Group(*parts), title=heading, title_align="left",
                 border_style="green" if clean else "yellow")


def findings_table(findings: Iterable[Finding], *, title: str | None = None) -> Table:
    """Findings grouped by severity, most severe first, with a section line between groups."""
    table = Table(title=title, title_justify="left", expand=False)
    columns: tuple[tuple[str, dict[str, Any]], ...] = (
        ("severity", {"no_wrap": True}), ("where", {"no_wrap": True}), ("title", {"ratio": 1}),
        ("reported by", {}), ("id", {"no_wrap": True}))
    for name, kwargs in columns:
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
            facts.add_row(label, Text(", ".join(_with_lines(n, summary) for n in names)))
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
    facts.add_row("tokens", f"{tokens_text(summary)}, estimated cost "
                            f"{cost_text(summary.cost_usd)}")
    return facts


def _with_lines(path: str, summary: RunSummary) -> str:
    """`path (+12 −3)` when the line counts are known."""
    counts = summary.line_counts.get(path)
    return f"{path} (+{counts[0]} −{counts[1]})" if counts else path


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


def _entries_table(entries: Sequence[Entry], title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    for name in ("severity", "where", "title", "why"):
        table.add_column(name, no_wrap=name in ("severity", "where"))
    for e in entries[:MAX_TERMINAL_ROWS]:
        table.add_row(f"{e.severity.emoji} {e.severity.label}", Text(e.finding.location),
                      Text(e.finding.title), Text(_why(e)))
    if len(entries) > MAX_TERMINAL_ROWS:
        table.add_row("", "", Text(f"… and {len(entries) - MAX_TERMINAL_ROWS} more "
                                   "(see --format json)"), "")
    return table


def tokens_text(summary: RunSummary) -> str:
    """`12,000 in (9,000 read from cache, 2,000 written) / 800 out`."""
    cache = [f"{n:,} {what}" for n, what in ((summary.cache_read_tokens, "read from cache"),
                                              (summary.cache_write_tokens, "written to it"))
             if n]
    extra = f" ({', '.join(cache)})" if cache else ""
    return f"{summary.input_tokens:,} in{extra} / {summary.output_tokens:,} out"
