"""A summary as an agent reads it first: the verdict, the counts, the most severe findings
with their `file:line`, and what keeps the review from being complete (the coverage matrix's
gaps, analyzers and reviewers that did not run) — a few kilobytes however large the change.
The whole report (`to_json`) stays one read away (the MCP server's resource)."""

from __future__ import annotations

from typing import Any

from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding
from reviewloop.reports.report import CLEAN, RunSummary, verdict

TOP = 10  # findings shown, most severe first
LISTED = 10  # files not analysed, files not read, problems: at most this many each
TEXT = 200  # characters of a title or a reason


def compact(summary: RunSummary, *, top: int = TOP) -> dict[str, Any]:
    """The summary in a bounded size: no ledger, no rationale, no history."""
    said = verdict(summary)
    unresolved = sorted((e.finding for e in summary.ledger.unresolved), key=Finding.sort_key)
    return {
        "run_id": summary.run_id,
        "verdict": said,
        "clean": said == CLEAN,
        "llm": summary.llm,
        "counts": _counts(summary),
        "top_findings": [_finding(f) for f in unresolved[:top]],
        "findings_not_shown": max(0, len(unresolved) - top),
        "incomplete": _incomplete(summary),
        "reviewers": {r.agent: r.status for r in summary.reviewers},
        "gates": [{"name": n, "passed": p} for n, p, _ in summary.gates],
    }


def _counts(summary: RunSummary) -> dict[str, dict[str, int]]:
    """Per status, the severities that have any (fixed, open, escalated, …)."""
    return {status: {sev: n for sev, n in by.items() if n}
            for status, by in summary.ledger.counts().items() if any(by.values())}


def _finding(finding: Finding) -> dict[str, Any]:
    return {"severity": finding.severity.value, "where": f"{finding.file}:{finding.start_line}",
            "rule": finding.rule, "title": _short(finding.title), "agent": finding.agent}


def _incomplete(summary: RunSummary) -> dict[str, Any]:
    """The coverage matrix's gaps: changed files an analyzer that applies did not read,
    analyzers and reviewers that did not run, and changed files nobody read."""
    gaps = summary.ledger.unanalysed()
    broken = summary.ledger.incomplete()
    return {
        "complete": not gaps and not broken and not summary.skipped,
        "files_not_analysed": {path: _short(reasons[0])
                               for path, reasons in list(gaps.items())[:LISTED]},
        "files_not_analysed_total": len(gaps),
        "not_run": [_health(h) for h in broken[:LISTED]],
        "not_run_total": len(broken),
        "not_read": [_short(s) for s in summary.skipped[:LISTED]],
        "not_read_total": len(summary.skipped),
    }


def _health(health: Health) -> str:
    return _short(f"{health.kind} {health.label}: {health.status}"
                  + (f" ({health.reason})" if health.reason else ""))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT else text[:TEXT - 1] + "…"
