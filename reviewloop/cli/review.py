"""`reviewloop review`: review an existing change; print, write, and set the exit code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from reviewloop.cli import ui
from reviewloop.errors import ExitCode
from reviewloop.git import open_repository
from reviewloop.graph.review_only import DiffSource, blocking, review_change
from reviewloop.graph.trusted import SettingsLoader, review_config
from reviewloop.review.evidence import analyze
from reviewloop.review.report import RunSummary, to_json, to_markdown, to_rich, verdict


@dataclass(frozen=True)
class ReviewOptions:
    source: DiffSource = DiffSource()
    format: str = "text"
    output: Path | None = None
    fail_on: str = "must_fix"
    fix: bool = False
    require_llm: bool = False
    sarif: Path | None = None


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *,
        config_file: Path | None = None, model_factory=None) -> int:
    """Review; with --head the configuration comes from the base commit, never the change."""
    from reviewloop.cli.run import model_switch

    source = options.source
    with review_config(open_repository(root), source.base, source.head, load,
                       config_file) as trusted:
        factory, llm = model_switch(trusted.settings, model_factory, options.require_llm)
        summary = review_change(root, trusted.settings, source, model_factory=factory,
                                llm=llm, fix=options.fix, analyze=analyze,
                                progress=ui.progress, trusted=trusted)
    emit(summary, options)
    return ExitCode.BLOCKING if blocking(summary, options.fail_on) else ExitCode.OK


def emit(summary: RunSummary, options: ReviewOptions) -> None:
    if options.format == "json":
        text = json.dumps(to_json(summary), indent=2, ensure_ascii=False) + "\n"
    elif options.format == "markdown":
        text = to_markdown(summary)
    else:
        text = None
    if options.output is not None:
        options.output.write_text(text if text is not None else to_markdown(summary),
                                  encoding="utf-8")
    elif text is not None:
        print(text, end="")
    if text is None or options.output is not None:
        ui.console().print(to_rich(summary))
        ui.console().print(f"verdict: {verdict(summary)}")
    if options.sarif is not None:
        from reviewloop import __version__
        from reviewloop.review.sarif import to_sarif

        findings = [*summary.findings_remaining, *summary.nits]
        options.sarif.write_text(json.dumps(to_sarif(
            findings, tool_version=__version__, reviewers=summary.reviewers,
            llm=summary.llm), indent=2), encoding="utf-8")
