"""The ledger as a SARIF 2.1.0 log for GitHub code scanning, within GitHub's upload limits.

One result per ledger entry (identical lines are separate entries, so separate results),
its other reports as `relatedLocations`; `partialFingerprints` carry the entry's identity
and its location hash. Suppressed entries are results with SARIF `suppressions`; findings
outside the change and reviewers or analyzers that did not run are notifications.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import on_disk
from reviewloop.reports.report import LLM_OFF, ReviewerOutcome

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
FINGERPRINT_KEY = "reviewloop/v2"
LOCATION_KEY = "reviewloopLocationHash/v1"
SRCROOT = "%SRCROOT%"

# GitHub's documented limits for one run of an uploaded SARIF file.
MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_MESSAGE = 8_000  # characters; long rationales are cut, the title always survives

LEVELS = {Severity.MUST_FIX: "error", Severity.SHOULD_FIX: "warning", Severity.NIT: "note"}

# Notification descriptors: why a run is not a full review, or not the full result set.
REVIEWER_FAILED = "reviewer-failed"
REVIEWER_SKIPPED = "reviewer-skipped"
LLM_DISABLED = "llm-off"
TRUNCATED = "results-truncated"
ANALYZER_MISSING = "analyzer-missing"
ANALYZER_FAILED = "analyzer-failed"
OUTSIDE = "outside-the-change"
NOT_ANALYSED = "file-not-analysed"
_NOTIFICATIONS = {
    REVIEWER_FAILED: "A reviewer failed; its findings are missing from this log.",
    REVIEWER_SKIPPED: "A reviewer had nothing to review (no changed file in its scope, or "
                      "turned off); its analyzers' findings are in this log.",
    LLM_DISABLED: "The LLM reviewers were off; only deterministic analyzers ran.",
    TRUNCATED: "More results than GitHub accepts in one run; the least severe were left out.",
    ANALYZER_MISSING: "An analyzer was not installed; its findings are missing from this log.",
    ANALYZER_FAILED: "An analyzer failed; its findings are missing from this log.",
    OUTSIDE: "Findings outside the change were reported; they are listed in the run summary.",
    NOT_ANALYSED: "A changed file was not read by an analyzer that applies to it; what it "
                  "holds is missing from this log.",
}


def rule_id(finding: Finding) -> str:
    """`<source>/<rule>` for an analyzer check (`bandit/B602`), else `<agent>/<source>`
    (`review-security/llm`)."""
    if finding.rule:
        return f"{finding.source}/{finding.rule}"
    return f"{finding.agent}/{finding.source}"


def to_sarif(ledger: Ledger, *, tool_version: str,
             reviewers: Sequence[ReviewerOutcome] = (), llm: bool) -> dict[str, Any]:
    """A SARIF log with one run: a rule per agent/analyzer check, a result per unresolved or
    suppressed ledger entry.

    Results beyond `MAX_RESULTS` are dropped least severe first and a notification says so;
    failed reviewers, missing or failed analyzers and an LLM-off run are notifications too,
    and mark the invocation unsuccessful, so a partial review never looks complete. A skipped
    reviewer (no changed file in its scope: `reports.report.verdict_reasons`) is a note with
    its reason and leaves the run successful, as it leaves the verdict clean.
    """
    shown = ledger.with_status(Status.OPEN, Status.ESCALATED, Status.SUPPRESSED)
    kept = _within_limits(shown)
    rules = _rules([e.finding for e in kept])
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    notifications = (_reviewer_notifications(reviewers) + _analyzer_notifications(ledger.health)
                     + _file_notifications(ledger))
    if not llm:
        notifications.append(_notification(LLM_DISABLED, "warning", LLM_OFF))
    if outside := ledger.with_status(Status.OUT_OF_SCOPE):
        notifications.append(_notification(OUTSIDE, "note", f"{len(outside)} finding(s) "
                                           "outside the change: see the run summary"))
    if len(kept) < len(shown):
        notifications.append(_notification(
            TRUNCATED, "warning", f"{len(shown) - len(kept)} of {len(shown)} results "
            f"left out (GitHub accepts at most {MAX_RESULTS} per run, {MAX_RULES} rules)"))
    complete = (llm and all(r.status != "failed" for r in reviewers) and ledger.complete
                and len(kept) == len(shown))
    run = {
        "tool": {"driver": {
            "name": "reviewloop",
            "version": tool_version,
            "semanticVersion": tool_version,
            "rules": rules,
            "notifications": [{"id": key, "shortDescription": {"text": text}}
                              for key, text in _NOTIFICATIONS.items()],
        }},
        "invocations": [{"executionSuccessful": complete,
                         "toolExecutionNotifications": notifications}],
        "columnKind": "unicodeCodePoints",
        "results": [_result(e, index[rule_id(e.finding)]) for e in kept],
    }
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": [run]}


def _within_limits(ordered: list[Entry]) -> list[Entry]:
    """The first `MAX_RESULTS` entries whose rules also fit in `MAX_RULES`."""
    kept: list[Entry] = []
    rules: set[str] = set()
    for entry in ordered:
        if len(kept) == MAX_RESULTS:
            break
        rid = rule_id(entry.finding)
        if rid not in rules and len(rules) == MAX_RULES:
            continue
        rules.add(rid)
        kept.append(entry)
    return kept


def _rules(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """One reporting descriptor per rule id, in first-seen order, at its most severe level."""
    worst: dict[str, Finding] = {}
    for finding in findings:
        rid = rule_id(finding)
        if rid not in worst or finding.severity.rank < worst[rid].severity.rank:
            worst[rid] = finding
    return [_rule(rid, f) for rid, f in worst.items()]


def _rule(rid: str, finding: Finding) -> dict[str, Any]:
    what = (f"{finding.source} rule {finding.rule}" if finding.rule
            else f"{finding.agent} ({finding.source})")
    tags = list(dict.fromkeys(["reviewloop", finding.agent, finding.source]))[:MAX_TAGS]
    return {
        "id": rid,
        "name": _rule_name(rid),
        "shortDescription": {"text": f"Findings reported by {what}"},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"tags": tags},
    }


def _rule_name(rid: str) -> str:
    """A PascalCase name, as SARIF suggests: `review-security/llm` → `ReviewSecurityLlm`."""
    words = "".join(c if c.isalnum() else " " for c in rid).split()
    return "".join(w[:1].upper() + w[1:] for w in words) or "Finding"


def _result(entry: Entry, rule_index: int) -> dict[str, Any]:
    finding = entry.finding
    result: dict[str, Any] = {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: entry.id,
                                LOCATION_KEY: finding.location_hash},
        "properties": {
            "severity": finding.severity.value,
            "status": entry.status.value,
            "agents": list(entry.reporters),
            "source": finding.source,
            "confidence": finding.confidence,
        },
    }
    related = [r for r in entry.reports if (r.file, r.start_line, r.end_line)
               != (finding.file, finding.start_line, finding.end_line)]
    if related:
        result["relatedLocations"] = [{**_location(r), "id": n, "message": {
            "text": redact(f"{r.agent}: {r.title}")}} for n, r in enumerate(related)]
    if entry.suppression is not None:
        s = entry.suppression
        why = " ".join(p for p in (s.where, f"by {s.by}" if s.by else "", s.reason or "") if p)
        result["suppressions"] = [{"kind": "inSource" if s.kind == "inline" else "external",
                                   "status": "accepted", "justification": redact(why)}]
    return result


def _location(finding: Finding) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": _uri(finding.file), "uriBaseId": SRCROOT},
        "region": {"startLine": finding.start_line, "endLine": finding.end_line},
    }}


def _message(finding: Finding) -> str:
    parts = [finding.headline, finding.rationale]
    if finding.suggestion:
        parts.append(f"Suggestion: {finding.suggestion}")
    text = redact("\n\n".join(parts))
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE - 1] + "…"
    return text


def _reviewer_notifications(reviewers: Sequence[ReviewerOutcome]) -> list[dict[str, Any]]:
    out = []
    for r in reviewers:
        if r.status == "failed":
            out.append(_notification(REVIEWER_FAILED, "error",
                                     f"reviewer {r.agent} failed: {r.error or 'no detail'}"))
        elif r.status == "skipped":
            why = r.reason or r.error or "no detail"
            out.append(_notification(REVIEWER_SKIPPED, "note",
                                     f"reviewer {r.agent} skipped: {why}"))
    return out


def _analyzer_notifications(health: Sequence[Health]) -> list[dict[str, Any]]:
    return [_notification(ANALYZER_MISSING if h.status == "missing" else ANALYZER_FAILED,
                          "error", f"analyzer {h.label} {h.status}: {h.reason or 'no detail'}")
            for h in health if h.kind == "analyzer" and not h.complete]


def _file_notifications(ledger: Ledger) -> list[dict[str, Any]]:
    """One error per changed file the coverage matrix has as not analysed, located on it."""
    return [{**_notification(NOT_ANALYSED, "error", f"{path} not analysed: " + "; ".join(why)),
             "locations": [{"physicalLocation": {"artifactLocation": {
                 "uri": _uri(path), "uriBaseId": SRCROOT}}}]}
            for path, why in ledger.unanalysed().items()]


def _uri(path: str) -> str:
    """A repository path (text form, `reviewloop.git.names`) as a relative URI: its real
    bytes percent-encoded (`mod_\\xff.py` is `mod_%FF.py`)."""
    return quote(on_disk(path).encode("utf-8", "surrogateescape"), safe="/")


def _notification(descriptor: str, level: str, text: str) -> dict[str, Any]:
    return {"descriptor": {"id": descriptor}, "level": level,
            "message": {"text": redact(text)}}
