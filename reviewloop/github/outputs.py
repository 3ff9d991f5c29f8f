"""What PR mode writes besides the review: annotations, the job summary and the step
outputs. Everything here is redacted before it is written; the counts in the outputs are the
PR's open findings across all pushes (`Convergence.open_counts`), the same as the summary
comment's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings import Finding
from reviewloop.review.report import RunSummary
from reviewloop.review.report import redacted as report_redacted


def redacted(summary: RunSummary) -> RunSummary:
    """The summary with every secret the scanner knows replaced, in every finding's text
    (the ledger's findings, reasons and health, reviewer errors, gates, escalations)."""
    return report_redacted(summary)


def annotate(findings: list[Finding]) -> None:
    """Workflow commands: GitHub shows them on the files of the PR without any write token."""
    level = {"must_fix": "error", "should_fix": "warning", "nit": "notice"}
    for f in findings:
        message = _escape(f"{f.severity.emoji} {f.title} — {f.rationale}")
        title = _escape(f"reviewloop {f.agent}", prop=True)
        print(f"::{level[f.severity.value]} file={_escape(f.file, prop=True)},"
              f"line={f.start_line},endLine={f.end_line},title={title}::{message}")


def write_job_outputs(env: Mapping[str, str], open_counts: Mapping[str, int], markdown: str,
                      sarif: Path | None) -> None:
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(redact(markdown) + "\n")
    if env.get("GITHUB_OUTPUT"):
        counts = open_counts
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            for key in ("must_fix", "should_fix", "nit"):
                out.write(f"{key}={counts.get(key, 0)}\n")
            out.write(f"sarif={sarif or ''}\n")


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text
