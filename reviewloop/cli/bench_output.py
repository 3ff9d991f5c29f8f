"""What `reviewloop bench` prints: a line per reviewed case (stderr), the cases of a dry run,
and the report as rich tables (one per model, a row per reviewer) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from reviewloop.agent.spend import usd
from reviewloop.bench.cases import Case
from reviewloop.bench.report import BenchReport, ModelTally, Tally
from reviewloop.bench.store import CaseResult
from reviewloop.cli import ui
from reviewloop.git.names import printable


def progress(n: int, of: int, case: Case, result: CaseResult) -> None:
    """One line on stderr as each case's review is stored."""
    if ui.quiet():
        return
    if result.status == "failed":
        what = f"failed: {result.error}"
    else:
        cost = usd(result.cost_usd) if result.cost_usd is not None else "cost unknown"
        what = (f"{len(result.findings)} finding(s), {result.input_tokens + result.output_tokens:,}"
                f" tokens, {cost}, {result.wall_s:.1f} s")
    ui.console(stderr=True).print(printable(f"[{n}/{of}] {case.id[:12]} {result.model}: {what}"),
                                  markup=False, highlight=False)


def print_cases(cases: Sequence[Case], skipped: Sequence[str], *, limit: int | None,
                fixes: int = 0, fmt: str = "table") -> None:
    """`--dry-run`: the cases found and what gave none; nothing is reviewed. As JSON: every
    case as the report's `case_results` names it (labels, fixes), and the skipped fixes."""
    if fmt == "json":
        selected = len(cases[:limit] if limit is not None else cases)
        print(json.dumps({"dry_run": True, "fixes": fixes, "selected": selected,
                          "cases": [c.model_dump(mode="json") for c in cases],
                          "skipped": list(skipped)},
                         indent=2, ensure_ascii=False))
        return
    out = ui.console()
    table = Table(title=f"{len(cases)} case(s)" + (f", the first {limit} reviewed"
                                                   if limit is not None else ""))
    for column in ("case", "labelled lines", "fixed by", "change"):
        table.add_column(column)
    for case in cases:
        paths = sorted({label.path for label in case.labels})
        # paths, ids and commit messages from the repository: never rich markup, and no
        # control character (an ESC's colours, hyperlinks, screen clears) reaches the terminal
        table.add_row(*(Text(printable(cell)) for cell in (
            case.id[:12], f"{len(case.labels)} in {', '.join(paths)}",
            ", ".join(f[:12] for f in case.fixes) or "-", case.description or "")))
    out.print(table)
    for line in skipped:
        out.print(printable(f"no case: {line}"), markup=False, highlight=False)


def emit(report: BenchReport, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    out = ui.console()
    for model in report.models:
        out.print(model_table(model, report.near))
    out.print(printable(f"{report.cases} case(s); {report.pending} review(s) pending"
                        + (f"; {report.stopped}" if report.stopped else "")), markup=False,
              highlight=False)
    if report.skipped:
        out.print(f"{len(report.skipped)} fix(es) or line(s) gave no case (see --dry-run)",
                  markup=False, highlight=False)
    out.print(printable(report.note), markup=False, highlight=False)


def model_table(model: ModelTally, near: int) -> Table:
    """One model: a row per reviewer, then the whole review's."""
    cost = usd(model.cost_usd) if model.cost_usd is not None else "unknown"
    table = Table(title=Text(printable(f"{model.model}: {model.hits}/{model.cases} case(s) hit "
                                       f"(a finding within {near} line(s) of a labelled "
                                       f"line), {cost}")))
    for column in ("reviewer", "cases", "hits", "hit\nrate", "findings\n/case",
                   "must_fix\non labels", "tokens\n/case", "$\n/case", "s\n/case", "failed"):
        table.add_column(column, justify="left" if column == "reviewer" else "right",
                         no_wrap=column == "reviewer")
    for row in model.reviewers:  # a reviewer's dollars are not apart (its tokens are):
        # blank, not "-" (no known price)
        table.add_row(Text(printable(row.reviewer)), *_cells(row, ""))
    per_case = usd(model.cost_per_case) if model.cost_per_case is not None else "unknown"
    table.add_row("all reviewers", *_cells(model, per_case), style="bold")
    return table


def _cells(tally: Tally, dollars: str) -> list[str]:
    share = f"{tally.must_fix_on_labels}/{tally.must_fix}" + (
        f" ({tally.must_fix_share:.0%})" if tally.must_fix_share is not None else "")
    return [str(tally.cases), str(tally.hits), _percent(tally.hit_rate),
            _number(tally.findings_per_case), share, _number(tally.tokens_per_case, 0),
            dollars, _number(tally.seconds_per_case), str(tally.failed)]


def _percent(value: float | None) -> str:
    return f"{value:.0%}" if value is not None else "-"


def _number(value: float | None, digits: int = 1) -> str:
    return f"{value:,.{digits}f}" if value is not None else "-"
