"""The run's open findings as one line each: ruff's concise format and GitHub workflow commands.

Both read the ledger only (`Ledger.unresolved`: open and escalated entries, nits included),
so they list exactly what JSON, SARIF and the terminal call open. Both also say when the
review was not a full one (the LLM off, a reviewer or an analyzer that did not run): a
missing analyzer is never silent, whatever the format.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewloop.findings.ledger import Entry
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import printable
from reviewloop.reports.report import (
    CLEAN,
    FINDINGS_REMAIN,
    NOTHING,
    RunSummary,
    verdict,
    verdict_reasons,
)

# GitHub's annotation levels for our severities (workflow commands `error`/`warning`/`notice`).
GITHUB_LEVELS = {Severity.MUST_FIX: "error", Severity.SHOULD_FIX: "warning",
                 Severity.NIT: "notice"}


def rule_of(finding: Finding) -> str:
    """The analyzer's rule id (`B602`), or the reviewer's name for a finding without one."""
    return finding.rule or finding.agent


def one_line(text: str) -> str:
    return " ".join(text.split())


def _ruff_order(entry: Entry) -> tuple[str, int, str, str]:
    f = entry.finding
    return (f.file, f.start_line, rule_of(f), entry.id)  # ruff sorts by path, line, rule


def to_ruff(summary: RunSummary, display_path: Callable[[str], str] = str,
            fail_on: str = "must_fix") -> str:
    """`path:line:col: RULE message` per open finding, as `ruff check --output-format
    concise` prints them (col 1: findings carry no column), then a count and the verdict.
    A finding at or above `fail_on` (what makes the exit code 1) has `[blocking]` before its
    message, and the count says how many there are.

    `display_path` maps a repository-relative path to what is printed (ruff prints paths
    relative to the current directory)."""
    entries = sorted(summary.ledger.unresolved, key=_ruff_order)
    blocks = [fail_on != "never" and e.finding.severity.at_least(Severity(fail_on))
              for e in entries]
    lines = [f"{printable(display_path(e.finding.file))}:{e.finding.start_line}:1: "
             f"{rule_of(e.finding)} {'[blocking] ' if block else ''}"
             f"{printable(one_line(e.finding.headline))}"
             for e, block in zip(entries, blocks, strict=True)]
    outcome = verdict(summary)
    if not entries and outcome == CLEAN:
        lines.append("All checks passed!")
    else:
        count, blocking = len(entries), sum(blocks)
        why = f" ({blocking} blocking: {fail_on} or worse)" if blocking else ""
        lines.append(f"Found {count} finding{'' if count == 1 else 's'}{why}." if count
                     else "No open findings.")
        lines.append(f"verdict: {printable(outcome)}")
    return "\n".join(lines) + "\n"


def to_github(summary: RunSummary) -> str:
    """A workflow command per open finding (must_fix → error, should_fix → warning,
    nit → notice), a warning on each file not (fully) analysed, with every reason, and a
    warning for each reason the review is not a full one (whole: a reason holds "; " of its
    own, between the files it lists)."""
    entries = sorted(summary.ledger.unresolved, key=_ruff_order)
    lines = [annotation(e.finding) for e in entries]
    lines += [workflow_command("warning", "; ".join(reasons), file=path,
                               title="reviewloop: not analysed")
              for path, reasons in summary.ledger.unanalysed().items()]
    reasons = verdict_reasons(summary)
    if reasons == [NOTHING]:  # an empty change is not a partial review
        lines.append(workflow_command("notice", f"reviewloop: {NOTHING}"))
    lines += [workflow_command("warning", f"reviewloop: {reason}",
                               title="reviewloop: not a full review")
              for reason in reasons if reason not in (NOTHING, FINDINGS_REMAIN)]
    return "".join(f"{line}\n" for line in lines)


def annotation(finding: Finding) -> str:
    """`::error file=…,line=…,endLine=…,title=…::message` for one finding."""
    title = f"reviewloop {finding.agent}" + (f" {finding.rule}" if finding.rule else "")
    message = f"{finding.severity.emoji} {finding.headline} — {finding.rationale}"
    if finding.suggestion:
        message += f"\n\nSuggestion: {finding.suggestion}"
    return workflow_command(GITHUB_LEVELS[finding.severity], message, file=finding.file,
                            line=finding.start_line, endLine=finding.end_line, title=title)


def workflow_command(command: str, message: str, **properties: object) -> str:
    """One GitHub Actions workflow command, escaped as the runner reads it: `%`, CR and LF
    in the message; also `:` and `,` in property values, which delimit the command. Its
    text is `git.names.printable` first, as in every view for people: a file name's ESC or
    U+202E would recolour or reorder the Actions log."""
    props = ",".join(f"{key}={escape_property(printable(str(value)))}"
                     for key, value in properties.items())
    # no ESC or bidi character reaches the log; a line break stays one (CR: `%0D`, below)
    shown = printable(message, keep="\t\n\r")
    return f"::{command}{' ' + props if props else ''}::{escape_data(shown)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
