"""`reviewloop report [RUN]`: a stored run or review shown again — on the terminal, as JSON
or Markdown, or as one self-contained HTML page (`reports.html_run`)."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.app.preflight import in_repository
from reviewloop.cli import ui
from reviewloop.cli.panel import to_rich
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.policy.governance import load_policy
from reviewloop.reports.html_run import RunPage, run_html
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import json_bytes
from reviewloop.reports.snippets import snippets
from reviewloop.reports.timeline import timeline
from reviewloop.runs.records import StoredRun, find

HTML_NAME = "report.html"


def run(settings: Settings, root: Path, run_id: str | None, *, fmt: str,
        output: Path | None) -> int:
    in_repository(root)  # exit 2 outside a repository, creating nothing
    stored = find(settings, root, run_id)
    if fmt == "text" and output is None:
        ui.console().print(to_rich(stored.summary))
        return ExitCode.OK
    data = _rendered(settings, root, stored, fmt)
    target = output if output is not None else (
        stored.folder / HTML_NAME if fmt == "html" and stored.folder else None)
    if target is None or str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return ExitCode.OK
    from reviewloop.cli.review import prepare_output  # its review's own check: exit 2

    prepare_output("--output", target, {"markdown": ".md", "text": ".txt"}.get(fmt, f".{fmt}"))
    target.write_bytes(data)
    ui.console(stderr=True).print(f"Wrote {target}", markup=False, highlight=False,
                                  soft_wrap=True)
    return ExitCode.OK


def page(settings: Settings, root: Path, stored: StoredRun) -> str:
    """The run's HTML page: its summary, the timeline from its trace, the code of its
    findings from its round diffs (sensitive files left out, as governance says)."""
    sensitive = load_policy(root, settings).sensitive
    return run_html(RunPage(
        name=stored.name, kind=stored.kind, summary=stored.summary,
        timeline=timeline(stored.trace, settings.prices),
        snippets=snippets(stored.summary.ledger.entries, stored.diffs(),
                          sensitive=tuple(sensitive))))


def _rendered(settings: Settings, root: Path, stored: StoredRun, fmt: str) -> bytes:
    if fmt == "html":
        return page(settings, root, stored).encode("utf-8")
    if fmt == "json":
        return json_bytes(stored.summary)
    if fmt == "markdown":
        return to_markdown(stored.summary).encode("utf-8")
    console = ui.console()
    with console.capture() as captured:
        console.print(to_rich(stored.summary))
    return captured.get().encode("utf-8")
