"""`reviewloop report` and `reviewloop stats` as click commands (registered by `cli.app`);
their work is in `cli/run_report.py` and `cli/stats.py` (`app/stats.py`), imported only when
one runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reviewloop.cli.options import LazyChoice, format_flag

if TYPE_CHECKING:
    from reviewloop.cli.app import Context

def report_formats() -> list[str]:
    """Every format `review --format` takes (the registry, plugins' too), then html."""
    from reviewloop.reports.formats import REPORT_PAGE, formats

    return [*(name for name in formats() if name != REPORT_PAGE), REPORT_PAGE]


@click.command("report")
@click.argument("run_id", required=False, metavar="[RUN]")
@click.option("--format", "fmt", type=LazyChoice(report_formats), default="text",
              show_default=True, help="Any format of `review --format` (installed plugins' "
              "too: `reviewloop review --help` lists them), or html: one self-contained page "
              "(timeline, findings with their code and history, coverage matrix, verdict).")
@format_flag("--html", "html")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write it to this file ('-': standard output). Default for html: "
              "report.html in the run's folder under .reviewloop/.")
@click.pass_obj
def report_cmd(obj: Context, run_id: str | None, fmt: str, output: Path | None) -> int:
    """Show a past run or review again (default: the newest one)."""
    from reviewloop.cli import run_report

    return run_report.run(obj.settings(), obj.root, run_id, fmt=fmt, output=output)


@click.command("stats")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="json: docs/schemas/stats.schema.json.")
@format_flag("--json", "json")
@click.pass_obj
def stats_cmd(obj: Context, fmt: str) -> int:
    """What became of each reviewer's, rule's and analyzer's findings over every run, review
    and pull request the store knows: fixed, ignored, suppressed, escalated or open —
    noisiest first."""
    from reviewloop.cli import stats

    return stats.run(obj.settings(), obj.root, fmt=fmt)
