"""`--format csv`: one row per open finding (nits included), for a spreadsheet."""

from __future__ import annotations

import csv
import io

from reviewloop.reports.formats import OutputFormat, RenderContext
from reviewloop.reports.report import RunSummary


def render(summary: RunSummary, ctx: RenderContext) -> str:
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(["severity", "file", "line", "rule", "title"])
    for finding in (*summary.findings_remaining, *summary.nits):
        rows.writerow([finding.severity.value, ctx.shown(finding.file), finding.start_line,
                       finding.rule or finding.agent, finding.title])
    return out.getvalue()


CSV = OutputFormat(name="csv", description="one row per open finding: severity, file, line, "
                   "rule, title", extension=".csv", render=render)
