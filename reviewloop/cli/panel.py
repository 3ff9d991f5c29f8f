"""The run summary as a rich panel and findings as a rich table: the terminal's view of the
ledger (the Markdown view, and the words both use, are `reports/render.py`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from reviewloop.checks.suppressions.stale import listed
from reviewloop.findings.ledger import Entry, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import printable
from reviewloop.reports.render import (
    analyzers,
    counts_text,
    files_text,
    heading,
    left_out_text,
    tests_text,
    tokens_text,
    why,
)
from reviewloop.reports.report import (
    CLEAN,
    LLM_OFF,
    ReviewerOutcome,
    RunSummary,
    cost_text,
    verdict,
)
from reviewloop.review.evidence import NOTHING_TO_ANALYZE

MAX_TERMINAL_ROWS = 25  # per table of out-of-scope or suppressed findings; JSON has them all
# per table of findings to act on: about a screenful, the most severe first; the counts above
# them and every report format hold them all (drawing 1,512 rows cost half a CPU-second)
MAX_FINDING_ROWS = 40
# nits are not acted on: a few show what kind they are, the count line says where the rest are
MAX_NIT_ROWS = 10
MAX_LISTED_FILES = 30  # per list of created or modified files
# With the report in a file the panel is its summary (the verdict, the counts, the most severe
# findings): the file holds every finding, and drawing the screenful tables cost a review
# of 1,000 lines a sixth of its CPU.
SUMMARY_FINDING_ROWS = 10
SUMMARY_FILE_NAMES = 10  # per row of created or modified files


def to_rich(summary: RunSummary, *, report: str | None = None) -> RenderableType:
    """A panel with the run's facts, then findings, reviewers and next tasks. With `report`
    (the file the whole report was written to) it is that report's summary: the facts, the
    `SUMMARY_FINDING_ROWS` most severe findings, and counts of the rest, nits, findings
    outside the change and suppressed ones, each pointing at the file."""
    # each view of the ledger read once (1,300 entries each time)
    result, remaining, fixed = verdict(summary), summary.findings_remaining, \
        summary.findings_fixed
    parts: list[RenderableType] = [_facts(summary, (result, remaining, fixed), report=report)]
    rows = SUMMARY_FINDING_ROWS if report else MAX_FINDING_ROWS
    where = "the report" if report else "--format json, sarif or markdown (--output FILE)"
    if remaining:
        parts.append(findings_table(remaining, title="Remaining findings",
                                    limit=rows, where=where))
    if fixed:
        parts.append(findings_table(fixed, title="Fixed findings", limit=rows, where=where))
    parts += _kept_apart(summary, report) if report else _kept_apart_tables(summary)
    if summary.reviewers:
        parts.append(_reviewers_table(summary.reviewers, summary.llm))
    if broken := [h for h in analyzers(summary) if not h.complete]:
        parts.append(Text("\n".join(f"✗ analyzer {h.label} {h.status}: {h.reason}"
                                     for h in broken), style="bold red"))
    if unread := summary.ledger.unanalysed():
        parts.append(Text("\n".join(printable(f"✗ not analysed: {path}: {'; '.join(why)}")
                                     for path, why in unread.items()), style="bold red"))
    if off := [h for h in analyzers(summary)
               if h.status == "skipped" and h.reason != NOTHING_TO_ANALYZE]:
        parts.append(Text("\n".join(f"⏭ analyzer {h.label} not run: {h.reason}" for h in off),
                          style="dim"))
    if partly := [h for h in analyzers(summary) if h.status == "ok" and h.reason]:
        parts.append(Text(printable("\n".join(f"⏭ analyzer {h.label} ran, not all of it: "
                                               f"{h.reason}" for h in partly)), style="dim"))
    if left := [f"{h.label}: {text}" for h in analyzers(summary)
                if (text := left_out_text(h))]:
        parts.append(Text(printable("\n".join(f"⏭ {text}" for text in left)), style="dim"))
    if summary.escalations:
        parts.append(Text("\n".join(f"⚠ {e}" for e in summary.escalations), style="yellow"))
    if summary.stale_baseline:
        parts.append(Text("\n".join(printable(f"⚠ baseline entry: {e}")
                                     for e in listed(summary.stale_baseline)), style="yellow"))
    if summary.newly_eligible:
        parts.append(Text("Newly eligible: " + "; ".join(summary.newly_eligible)))
    clean = result == CLEAN
    shown = Text(printable(heading(summary)), style="bold")
    return Panel(Group(*parts), title=shown, title_align="left",
                 border_style="green" if clean else "yellow")


def _kept_apart_tables(summary: RunSummary) -> list[RenderableType]:
    """Nits, findings outside the change and suppressed ones, a few rows of each."""
    parts: list[RenderableType] = []
    if nits := summary.nits:
        parts.append(findings_table(nits, title="Nits (not fixed)", limit=MAX_NIT_ROWS))
    for status, title in _APART:
        if entries := summary.ledger.with_status(status):
            parts.append(_entries_table(entries, title))
    return parts


def _kept_apart(summary: RunSummary, report: str) -> list[RenderableType]:
    """The same as counts on one line: the report lists them."""
    counted = [(len(summary.nits), "Nits (not fixed)"),
               *((len(summary.ledger.with_status(s)), t) for s, t in _APART)]
    shown = [f"{title}: {n}" for n, title in counted if n]
    return [Text(f"{'; '.join(shown)} (every one is in the report)")] if shown else []


_APART = ((Status.OUT_OF_SCOPE, "Outside the change (not acted on)"),
          (Status.SUPPRESSED, "Suppressed"))


def findings_table(findings: Iterable[Finding], *, title: str | None = None,
                   limit: int | None = MAX_FINDING_ROWS,
                   where: str = "--format json, sarif or markdown (--output FILE)") -> Table:
    """Findings grouped by severity, most severe first, with a section line between groups;
    past `limit` rows, one line saying how many more there are and `where` they all are."""
    ordered = sorted(findings, key=Finding.sort_key)
    table = _LocatedTable(f.location for f in ordered[:limit])
    table.title = title
    columns: tuple[tuple[str, dict[str, Any]], ...] = (
        ("severity", {"no_wrap": True}), ("where", {}),
        ("title", {"ratio": 1, "overflow": "fold"}), ("reported by", {}),
        ("id", {"no_wrap": True}))
    for name, kwargs in columns:
        table.add_column(name, **kwargs)
    previous: Severity | None = None
    for finding in ordered[:limit]:
        if previous is not None and finding.severity is not previous:
            table.add_section()
        previous = finding.severity
        table.add_row(Text(f"{finding.severity.emoji} {finding.severity.label}"),
                      Text(printable(finding.location)), Text(printable(finding.headline)),
                      Text(", ".join(finding.agents)), Text(finding.short_id))
    if limit is not None and len(ordered) > limit:
        rest = Counter(f.severity for f in ordered[limit:])
        counted = ", ".join(f"{n} {s.label}" for s, n in sorted(rest.items(),
                                                                 key=lambda i: i[0].rank))
        table.add_section()
        table.add_row("", "", Text(f"… and {len(ordered) - limit} more ({counted}): every "
                                   f"finding is in {where}"), "", "")
    return table


def _facts(summary: RunSummary, views: tuple[str, list[Finding], list[Finding]], *,
           report: str | None = None) -> Table:
    """The run's facts; with the `report` file named, a few of the changed files. `views`:
    the summary's verdict, findings remaining and fixed."""
    names = SUMMARY_FILE_NAMES if report else MAX_LISTED_FILES
    done, total = summary.spec_progress
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    result, remaining, fixed = views
    facts.add_row("verdict", Text(printable(result),
                                  style="bold green" if result == CLEAN else "bold red"))
    if not summary.llm:
        facts.add_row("", Text(f"⚠ {LLM_OFF}", style="bold yellow"))
    if report:
        facts.add_row("report", Text(report))
    facts.add_row("files", files_text(summary))
    for label, files in (("  created", summary.files_created),
                         ("  modified", summary.files_modified),
                         ("  deleted", summary.files_deleted)):
        if files:
            facts.add_row(label, Text(_listed(files, summary, names)))
    facts.add_row("tests", f"{tests_text(summary.passed_tests)} passing")
    for index, (name, passed, text) in enumerate(summary.gates):
        facts.add_row("gates" if index == 0 else "",
                      Text(f"{'✓' if passed else '✗'} {name}: {text}",
                           style="green" if passed else "bold red"))
    if not summary.is_review:
        facts.add_row("spec progress", f"{done}/{total}")
    for index, line in enumerate(summary.spec_restored):
        facts.add_row("spec put back" if index == 0 else "",
                      Text(f"{line} by the agent; not landed", style="yellow"))
    facts.add_row("review rounds", str(summary.rounds))
    facts.add_row("fixed", counts_text(fixed))
    facts.add_row("remaining", counts_text(remaining))
    facts.add_row("tokens", f"{tokens_text(summary)}, estimated cost "
                            f"{cost_text(summary.cost_usd)}")
    for index, line in enumerate(summary.fallbacks):
        facts.add_row("fallback model" if index == 0 else "", Text(line, style="yellow"))
    return facts


def _listed(names: Sequence[str], summary: RunSummary, limit: int) -> str:
    """The first `limit` names and how many more: a 5,000-file change listed them all,
    1,700 lines of panel; the JSON report has every one."""
    shown = ", ".join(printable(_with_lines(n, summary)) for n in names[:limit])
    more = len(names) - limit
    return shown + (f", … and {more} more (--format json lists every file)"
                    if more > 0 else "")


def _with_lines(path: str, summary: RunSummary) -> str:
    """`path (+12 −3)` when the line counts are known."""
    counts = summary.line_counts.get(path)
    return f"{path} (+{counts[0]} −{counts[1]})" if counts else path


def _reviewers_table(reviewers: Sequence[ReviewerOutcome], llm: bool) -> Table:
    """With the LLM off a reviewer only reads what its analyzers found in the round's
    prepare step: its own time says nothing, so none is shown. `note`: why it failed (red)
    or was skipped."""
    table = Table(title="Reviewers", title_justify="left", expand=False)
    for name in ("agent", "status", "findings", "time", "tokens in/out", "note"):
        table.add_column(name, justify="right" if name in ("findings", "time") else "left")
    styles = {"ok": "green", "failed": "bold red", "skipped": "yellow"}
    for r in reviewers:
        table.add_row(Text(r.agent, style="bold red" if r.status == "failed" else ""),
                      Text(r.status, style=styles[r.status]), str(r.findings_count),
                      f"{r.duration_s:.1f}s" if llm else "—",
                      f"{r.input_tokens:,}/{r.output_tokens:,}",
                      Text(r.error or "", style="red") if r.error else
                      Text(r.reason or "", style="yellow"))
    return table


def _entries_table(entries: Sequence[Entry], title: str) -> Table:
    table = _LocatedTable(e.finding.location for e in entries[:MAX_TERMINAL_ROWS])
    table.title = title
    for name in ("severity", "where", "title", "why"):
        table.add_column(name, no_wrap=name == "severity")
    for e in entries[:MAX_TERMINAL_ROWS]:
        table.add_row(Text(f"{e.severity.emoji} {e.severity.label}"),
                      Text(printable(e.finding.location)), Text(printable(e.finding.headline)),
                      Text(printable(why(e))))
    if len(entries) > MAX_TERMINAL_ROWS:
        table.add_row("", "", Text(f"… and {len(entries) - MAX_TERMINAL_ROWS} more "
                                   "(see --format json)"), "")
    return table


# what the other columns of a findings table need beside a location on one line: severity
# and id (~27 with their padding), the borders (6), a readable title and reporter (~27)
_OTHERS = 60


class _LocatedTable(Table):
    """A table of findings whose second column is `where`: its locations stay whole on one
    line when the others keep `_OTHERS` characters of the width drawn in; otherwise they
    fold onto more lines (every character kept) as the width needs. Kept on one line
    regardless, a deep path took the whole width and the title, reporter and id columns
    were drawn zero characters wide."""

    def __init__(self, locations: Iterable[str]) -> None:
        super().__init__(title_justify="left", expand=False)
        self._longest = max(map(len, locations), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        where = self.columns[1]
        where.no_wrap = self._longest + _OTHERS <= options.max_width
        where.overflow = "ellipsis" if where.no_wrap else "fold"
        yield from super().__rich_console__(console, options)
