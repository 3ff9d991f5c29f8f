"""Findings as a SARIF 2.1.0 log for GitHub code scanning, within GitHub's upload limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings import Finding, Severity
from reviewloop.review.report import LLM_OFF, ReviewerOutcome

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
FINGERPRINT_KEY = "reviewloop/v1"
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
_NOTIFICATIONS = {
    REVIEWER_FAILED: "A reviewer failed; its findings are missing from this log.",
    REVIEWER_SKIPPED: "A reviewer was skipped; its findings are missing from this log.",
    LLM_DISABLED: "The LLM reviewers were off; only deterministic analyzers ran.",
    TRUNCATED: "More results than GitHub accepts in one run; the least severe were left out.",
}


def rule_id(finding: Finding) -> str:
    """`<source>/<rule>` for an analyzer check (`bandit/B602`), else `<agent>/<source>`
    (`review-security/llm`)."""
    if finding.rule:
        return f"{finding.source}/{finding.rule}"
    return f"{finding.agent}/{finding.source}"


def to_sarif(findings: Iterable[Finding], *, tool_version: str,
             reviewers: Sequence[ReviewerOutcome] = (), llm: bool) -> dict[str, Any]:
    """A SARIF log with one run: a rule per agent/analyzer check, a result per finding.

    Results beyond `MAX_RESULTS` are dropped least severe first and a notification says so;
    failed or skipped reviewers and an LLM-off run are notifications too, and mark the
    invocation unsuccessful, so a partial review never looks complete.
    """
    ordered = sorted(findings, key=Finding.sort_key)
    kept = _within_limits(ordered)
    rules = _rules(kept)
    index = {rule["id"]: n for n, rule in enumerate(rules)}
    notifications = _reviewer_notifications(reviewers)
    if not llm:
        notifications.append(_notification(LLM_DISABLED, "warning", LLM_OFF))
    if len(kept) < len(ordered):
        notifications.append(_notification(
            TRUNCATED, "warning", f"{len(ordered) - len(kept)} of {len(ordered)} results "
            f"left out (GitHub accepts at most {MAX_RESULTS} per run, {MAX_RULES} rules)"))
    complete = llm and all(r.status == "ok" for r in reviewers) and len(kept) == len(ordered)
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
        "results": [_result(f, index[rule_id(f)]) for f in kept],
    }
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": [run]}


def _within_limits(ordered: list[Finding]) -> list[Finding]:
    """The first `MAX_RESULTS` findings whose rules also fit in `MAX_RULES`."""
    kept: list[Finding] = []
    rules: set[str] = set()
    for finding in ordered:
        if len(kept) == MAX_RESULTS:
            break
        rid = rule_id(finding)
        if rid not in rules and len(rules) == MAX_RULES:
            continue
        rules.add(rid)
        kept.append(finding)
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


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    region = {"startLine": finding.start_line, "endLine": finding.end_line}
    return {
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.file, safe="/"), "uriBaseId": SRCROOT},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "agents": list(finding.agents),
            "source": finding.source,
            "confidence": finding.confidence,
        },
    }


def _message(finding: Finding) -> str:
    parts = [finding.title, finding.rationale]
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
            out.append(_notification(REVIEWER_SKIPPED, "warning",
                                     f"reviewer {r.agent} skipped: {r.error or 'no detail'}"))
    return out


def _notification(descriptor: str, level: str, text: str) -> dict[str, Any]:
    return {"descriptor": {"id": descriptor}, "level": level,
            "message": {"text": redact(text)}}
