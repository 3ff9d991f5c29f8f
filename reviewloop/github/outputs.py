"""What PR mode writes besides the review: annotations, the job summary and the step
outputs. Everything here is redacted before it is written; the counts in the outputs are the
PR's open findings across all pushes (`Convergence.open_counts`), the same as the summary
comment's. The count outputs are named by `Severity` values (`must_fix`, `should_fix`, `nit`),
the spelling `--fail-on` and action.yml use too; `published` (true/false) and `publish_error`
(one line, empty when published) say whether the review reached the pull request."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from reviewloop.checks.secrets.scanner import redact
from reviewloop.errors import UserInputError
from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.verdict import PUBLISHED, Delivery
from reviewloop.reports.lines import annotation
from reviewloop.reports.report import RunSummary
from reviewloop.reports.report import redacted as report_redacted

COUNT_OUTPUTS = tuple(s.value for s in Severity)  # step outputs: open findings per severity
# the files GitHub Actions gives a step to append to, and what reviewloop writes there
FILES = {"GITHUB_OUTPUT": "the step outputs", "GITHUB_STEP_SUMMARY": "the job summary"}


def check_files(env: Mapping[str, str]) -> None:
    """Before a review runs: each Actions file that is set can be appended to (a folder, or
    a path in a folder that does not exist, would fail only once the review is done)."""
    for name in FILES:
        if value := env.get(name):
            path = Path(value)
            if path.is_dir():
                raise _unusable(name, value, "is a folder")
            if not path.parent.is_dir():
                raise _unusable(name, value, "is not in an existing folder")


def _append(env: Mapping[str, str], name: str) -> TextIO:
    try:
        return open(env[name], "a", encoding="utf-8")  # noqa: SIM115 (the caller's `with`)
    except OSError as exc:
        raise _unusable(name, env[name], f"cannot be written ({exc.strerror})") from None


def _unusable(name: str, value: str, problem: str) -> UserInputError:
    return UserInputError(
        f"{value} {problem}: reviewloop appends {FILES[name]} there", where=name,
        fix=f"point {name} at a file (GitHub Actions sets it for each step), or unset it")


def redacted(summary: RunSummary) -> RunSummary:
    """The summary with every secret the scanner knows replaced, in every finding's text
    (the ledger's findings, reasons and health, reviewer errors, gates, escalations)."""
    return report_redacted(summary)


def annotate(findings: list[Finding]) -> None:
    """Workflow commands: GitHub shows them on the files of the PR without any write token."""
    for f in findings:
        print(annotation(f))


def write_job_outputs(env: Mapping[str, str], open_counts: Mapping[str, int], markdown: str,
                      sarif: Path | None, delivery: Delivery = PUBLISHED) -> None:
    """Append to `$GITHUB_STEP_SUMMARY` and `$GITHUB_OUTPUT` (each when set)."""
    if env.get("GITHUB_STEP_SUMMARY"):
        with _append(env, "GITHUB_STEP_SUMMARY") as out:
            out.write(redact(markdown) + "\n")
    if env.get("GITHUB_OUTPUT"):
        counts = open_counts
        with _append(env, "GITHUB_OUTPUT") as out:
            for key in COUNT_OUTPUTS:
                out.write(f"{key}={counts.get(key, 0)}\n")
            out.write(output_line("sarif", str(sarif or "")))
            out.write(f"published={'true' if delivery.published else 'false'}\n")
            # one line: a value with a newline would need GitHub's heredoc syntax
            out.write(f"publish_error={' '.join(redact(delivery.error).split())}\n")


def output_line(key: str, value: str) -> str:
    """`key=value` for `$GITHUB_OUTPUT`; a value holding a line break in GitHub's multi-line
    form (`key<<DELIMITER`), so that no line of it is read as another output (a `sarif`
    path ending in "\\nmust_fix=0" would otherwise set `must_fix`)."""
    if "\n" not in value and "\r" not in value:
        return f"{key}={value}\n"
    delimiter = "ghadelimiter_" + secrets.token_hex(16)  # never inside the value
    while delimiter in value:
        delimiter = "ghadelimiter_" + secrets.token_hex(16)
    return f"{key}<<{delimiter}\n{value}\n{delimiter}\n"


def write_unpublished(env: Mapping[str, str], delivery: Delivery) -> None:
    """Say in the step outputs and the job summary that something after the review did not
    reach the pull request (appended: GitHub keeps an output's last value)."""
    if env.get("GITHUB_STEP_SUMMARY") and delivery.note:
        with _append(env, "GITHUB_STEP_SUMMARY") as out:
            out.write("\n" + redact(delivery.note) + "\n")
    if env.get("GITHUB_OUTPUT"):
        with _append(env, "GITHUB_OUTPUT") as out:
            out.write("published=false\n")
            out.write(f"publish_error={' '.join(redact(delivery.error).split())}\n")
