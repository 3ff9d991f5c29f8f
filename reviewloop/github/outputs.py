"""What PR mode writes besides the review: annotations, the job summary, step outputs, and
which earlier comments are still open. Everything here is redacted before it is written."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reviewloop.checks.secrets.scanner import redact, redact_finding
from reviewloop.findings import Finding, Severity
from reviewloop.review.report import RunSummary, severity_counts


def open_posted(state, current: frozenset[str]) -> list[Severity]:
    """Severities of inline comments posted earlier that are neither resolved nor re-reported
    now (those are counted with this run's findings)."""
    by_emoji = {s.emoji: s for s in Severity}
    found = []
    for comment in state.comments:
        if comment.resolved or comment.fingerprint in current:
            continue
        severity = by_emoji.get(comment.body.lstrip()[:1])
        if severity is not None:
            found.append(severity)
    return found


def redacted(summary: RunSummary) -> RunSummary:
    """The summary with every secret the scanner knows replaced, in every finding's text."""
    return summary.model_copy(update={
        k: [redact_finding(f) for f in getattr(summary, k)]
        for k in ("findings_remaining", "nits", "findings_fixed")})


def annotate(findings: list[Finding]) -> None:
    """Workflow commands: GitHub shows them on the files of the PR without any write token."""
    level = {"must_fix": "error", "should_fix": "warning", "nit": "notice"}
    for f in findings:
        message = _escape(f"{f.severity.emoji} {f.title} — {f.rationale}")
        title = _escape(f"reviewloop {f.agent}", prop=True)
        print(f"::{level[f.severity.value]} file={_escape(f.file, prop=True)},"
              f"line={f.start_line},endLine={f.end_line},title={title}::{message}")


def write_job_outputs(env: Mapping[str, str], summary: RunSummary, markdown: str,
                      sarif: Path | None) -> None:
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(redact(markdown) + "\n")
    if env.get("GITHUB_OUTPUT"):
        counts = severity_counts([*summary.findings_remaining, *summary.nits])
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            for key in ("must_fix", "should_fix", "nit"):
                out.write(f"{key}={counts.get(key, 0)}\n")
            out.write(f"sarif={sarif or ''}\n")


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text
