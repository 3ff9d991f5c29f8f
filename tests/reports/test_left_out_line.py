"""The human reports (the terminal panel, markdown) say in one line how many findings an
analyzer left out as test code and where they are listed; the list itself (`left_out`, per
file with why) was only in the JSON report and the ledger (first reviewer's L1).

A fixed product: how many files had findings left out (none, one, many) × how many in each
(one, several) × whether the panel summarises a written report. The oracle is the health
itself: the line's counts are the sum of the reasons' counts and the number of files, it
appears once however many files there are, and not at all when nothing was left out."""

from __future__ import annotations

import itertools

import pytest
from rich.console import Console

from reviewloop.cli.panel import to_rich
from reviewloop.findings.ledger import Health, Ledger
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary

FILES = (0, 1, 60)
EACH = (1, 7)


def _summary(files: int, each: int) -> RunSummary:
    left = {f"tests/test_{i}.py": f"{each} assert(s) (bandit B101) left out: test code "
                                  "(under a tests/ folder), which no production module imports"
            for i in range(files)}
    health = Health(kind="analyzer", name="bandit", agent="review-security", status="ok",
                    files=tuple(left), left_out=left)
    return RunSummary(task_id="r", ledger=Ledger(round=1, health=[health]))


def _panel(summary: RunSummary, report: str | None) -> str:
    console = Console(width=400, record=True, color_system=None)
    console.print(to_rich(summary, report=report))
    return console.export_text()


@pytest.mark.parametrize(("files", "each", "report"),
                         list(itertools.product(FILES, EACH, (None, "review.md"))))
def test_left_out_findings_are_counted_in_one_line(files: int, each: int,
                                                   report: str | None) -> None:
    summary = _summary(files, each)
    said = f"{files * each} finding(s) in {files} file(s) left out as test code"

    for text in (to_markdown(summary), _panel(summary, report)):
        lines = [line.replace("\\", "") for line in text.splitlines()  # markdown's escapes
                 if "left out as test code" in line]
        assert lines == ([] if not files else [next(iter(lines), "")]), text
        assert all(said in line and "left_out" in line and "tests/test_" not in line
                   for line in lines), lines
