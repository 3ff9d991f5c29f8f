"""A summary as an agent reads it first: the verdict, the counts, the most severe findings
with their `file:line`, and what keeps the review from being complete (the coverage matrix's
gaps, analyzers and reviewers that did not run) — a few kilobytes however large the change.
The whole report (`to_json`) stays one read away (the MCP server's resource)."""

from __future__ import annotations

import json
from typing import Any

from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding
from reviewloop.reports.report import CLEAN, RunSummary, verdict

TOP = 10  # findings shown, most severe first
LISTED = 10  # files not analysed, files not read, problems: at most this many each
TEXT = 200  # bytes of JSON for a title or a reason
PLACE = 512  # bytes of JSON for a `file:line` (longer: its end, the file name and line, kept)
VERDICT = 400  # bytes of JSON for the verdict
MAX_BYTES = 8_000  # of the whole answer: listed gaps are left out, last first, to fit


def compact(summary: RunSummary, *, top: int = TOP) -> dict[str, Any]:
    """The summary in at most `MAX_BYTES` of JSON: no ledger, no rationale, no history; every
    total counted, the listed items cut to fit."""
    said = verdict(summary)
    unresolved = sorted((e.finding for e in summary.ledger.unresolved), key=Finding.sort_key)
    return _fitted({
        "run_id": summary.run_id,
        "verdict": _short(said, VERDICT),
        "clean": said == CLEAN,
        "llm": summary.llm,
        "counts": _counts(summary),
        "top_findings": [_finding(f) for f in unresolved[:top]],
        "findings_not_shown": max(0, len(unresolved) - top),
        "incomplete": _incomplete(summary),
        "reviewers": {r.agent: r.status for r in summary.reviewers},
        "gates": [{"name": n, "passed": p} for n, p, _ in summary.gates],
    })


def _fitted(answer: dict[str, Any]) -> dict[str, Any]:
    """`answer` with listed items left out, the least telling first (files nobody read, then
    what did not run, files not analysed, and last the least severe findings shown), until
    its JSON fits `MAX_BYTES`; the totals beside each list still count them all."""
    gaps = answer["incomplete"]
    for key in ("not_read", "not_run", "files_not_analysed"):
        while _size(answer) > MAX_BYTES and gaps[key]:
            if isinstance(gaps[key], dict):
                gaps[key].pop(next(reversed(gaps[key])))
            else:
                gaps[key].pop()
    while _size(answer) > MAX_BYTES and answer["top_findings"]:
        answer["top_findings"].pop()
        answer["findings_not_shown"] += 1
    return answer


def _size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


def _counts(summary: RunSummary) -> dict[str, dict[str, int]]:
    """Per status, the severities that have any (fixed, open, escalated, …)."""
    return {status: {sev: n for sev, n in by.items() if n}
            for status, by in summary.ledger.counts().items() if any(by.values())}


def _finding(finding: Finding) -> dict[str, Any]:
    return {"severity": finding.severity.value,
            "where": _short(f"{finding.file}:{finding.start_line}", PLACE, keep_end=True),
            "rule": finding.rule, "title": _short(finding.headline), "agent": finding.agent}


def _incomplete(summary: RunSummary) -> dict[str, Any]:
    """The coverage matrix's gaps: changed files an analyzer that applies did not read,
    analyzers and reviewers that did not run, and changed files nobody read."""
    gaps = summary.ledger.unanalysed()
    broken = summary.ledger.incomplete()
    return {
        "complete": not gaps and not broken and not summary.skipped,
        "files_not_analysed": {_short(path, PLACE, keep_end=True): _short(reasons[0])
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


def _short(text: str, limit: int = TEXT, *, keep_end: bool = False) -> str:
    """`text` on one line, cut to `limit` bytes of JSON (a byte of a control character
    escaped takes six): its start and "…", or with `keep_end` "…" and its end (a path's file
    name and line)."""
    text = " ".join(text.split())
    if _size(text) <= limit:
        return text
    kept: list[str] = []
    used = _size("…")
    for char in reversed(text) if keep_end else text:
        used += _size(char) - 2
        if used > limit:
            break
        kept.append(char)
    return "…" + "".join(reversed(kept)) if keep_end else "".join(kept) + "…"
