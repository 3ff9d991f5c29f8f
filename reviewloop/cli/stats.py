"""`reviewloop stats`: the findings of every stored run, review and pull request by outcome,
per rule, reviewer and analyzer, noisiest first (`reports.stats`)."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from reviewloop.app.stats import gather
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.reports.stats import OUTCOMES, OutcomeRow

MOST_ROWS = 25  # per table on the terminal; --json has them all
_HEADS = {"findings": "found", "suppressed": "suppr.", "escalated": "escal.",
          "out_of_scope": "outside"}


def run(settings: Settings, root: Path, *, fmt: str) -> int:
    stats = gather(settings, root)
    if fmt == "json":
        print(stats.model_dump_json(indent=2))
        return ExitCode.OK
    out = ui.console()
    src = stats.sources
    replays = f" ({src.bench_replays} bench replay(s) not counted)" if src.bench_replays \
        else ""
    out.print(f"Over {src.runs} run(s), {src.reviews} review(s) and {src.pull_requests} pull "
              f"request(s){replays}. ignored: by a writer's /reviewloop ignore; suppr.: by an "
              "inline ignore or baseline of the trusted side; outside: not on the change's lines; "
              "noise = ignored + suppr.", soft_wrap=True)
    if not (stats.rules or stats.reviewers):
        out.print("No finding recorded yet: `reviewloop review` or a pull request's review "
                  "records some.")
    for title, rows, who in (("Rules, noisiest first", stats.rules, True),
                             ("Reviewers", stats.reviewers, False),
                             ("Analyzers", stats.analyzers, True)):
        if rows:
            out.print(_table(title, rows, who))
    for line in src.unreadable:
        ui.console(stderr=True).print(f"Cannot read: {line}", markup=False, highlight=False)
    return ExitCode.OK


def _table(title: str, rows: list[OutcomeRow], who: bool) -> Table:
    more = f" ({len(rows) - MOST_ROWS} more in --json)" if len(rows) > MOST_ROWS else ""
    table = Table(title=title + more, title_justify="left")
    table.add_column("name", overflow="fold", ratio=3)
    for column in ("findings", *OUTCOMES, "noise"):
        table.add_column(_HEADS.get(column, column), justify="right", no_wrap=True)
    if who:
        table.add_column("reviewers", overflow="fold", ratio=2)
    for row in rows[:MOST_ROWS]:
        cells = [row.name, str(row.findings), *(str(getattr(row, o)) for o in OUTCOMES),
                 str(row.noise)]
        table.add_row(*cells, *([", ".join(row.reviewers)] if who else []), style=None)
    return table
