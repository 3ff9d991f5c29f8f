"""The output formats of `reviewloop review --format`: one registry, name → renderer.

A format is one `OutputFormat`: its name, what it prints (the `--help` text and the list in
docs/plugins.md come from here), the file extension a report in it takes, and a pure
renderer from the run summary. Third-party packages add formats through the entry-point group
`reviewloop.formats` (`reviewloop.plugins`), read the first time the registry is asked.
`text` is the terminal panel, drawn by the CLI: its renderer gives None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import pydantic_core

from reviewloop import plugins
from reviewloop.reports.lines import to_github, to_ruff
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary, json_bytes


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need beyond the summary: the --fail-on threshold, and how to show
    a repository path (ruff's lines show them relative to the current folder)."""

    fail_on: str = "must_fix"
    shown: Callable[[str], str] = field(default=str)


Renderer = Callable[[RunSummary, RenderContext], "str | bytes | None"]

# `reviewloop report`'s one format beyond the registry: the page needs the run's trace and
# diffs, not only its summary (`reports.html_run`)
REPORT_PAGE = "html"


@dataclass(frozen=True)
class OutputFormat:
    """One `--format`: a renderer, what it is for, and the file extension of its reports."""

    name: str
    description: str
    extension: str
    render: Renderer


def _sarif(summary: RunSummary, _: RenderContext) -> str:
    return sarif_text(summary) + "\n"


def sarif_text(summary: RunSummary) -> str:
    """SARIF 2.1.0 of the run's ledger (also what `--sarif FILE` writes)."""
    from reviewloop import __version__
    from reviewloop.reports.sarif import to_sarif

    # written by pydantic-core in Rust, as the JSON report is (`report.json_bytes`):
    # `json.dumps` with an indent runs in pure Python, 0.46 G instructions for 1,300
    # findings; UTF-8 text, not `\u` escapes, and a float may be spelled differently
    return pydantic_core.to_json(to_sarif(summary.ledger, tool_version=__version__,
                                          reviewers=summary.reviewers, llm=summary.llm),
                                 indent=2).decode()


BUILTIN: dict[str, OutputFormat] = {f.name: f for f in (
    OutputFormat("text", "the terminal summary: the counts, then up to 40 findings per table, "
                 "the most severe first (written to --output as Markdown)", ".md",
                 lambda summary, ctx: None),
    OutputFormat("json", "the run summary and its ledger (docs/schemas/review.schema.json)",
                 ".json", lambda summary, ctx: json_bytes(summary)),
    OutputFormat("markdown", "a Markdown report: verdict, facts, findings by severity, "
                 "reviewers, analyzers", ".md", lambda summary, ctx: to_markdown(summary)),
    OutputFormat("ruff", "one line per open finding, path:line:col: RULE message, "
                 "[blocking] on the lines --fail-on counts", ".txt",
                 lambda summary, ctx: to_ruff(summary, ctx.shown, ctx.fail_on)),
    OutputFormat("github", "GitHub Actions workflow commands (::error, ::warning, ::notice "
                 "annotations)", ".txt", lambda summary, ctx: to_github(summary)),
    OutputFormat("sarif", "SARIF 2.1.0 for code scanning", ".sarif", _sarif),
)}


def formats() -> dict[str, OutputFormat]:
    """Every format: the built-ins, then those installed plugins add (each behind its
    plugin boundary, `_guarded`); none may be named `html`, `report`'s own page (it would
    be hidden there, and `review --format html` would be another thing)."""
    return plugins.guarded(BUILTIN, plugins.FORMATS, OutputFormat, "output format", _guarded,
                           reserved=(REPORT_PAGE,))


def get(name: str) -> OutputFormat:
    """The format called `name` (the CLI's choice has checked it exists)."""
    return formats()[name]


def render(name: str, summary: RunSummary, ctx: RenderContext) -> str | bytes | None:
    """The report in format `name`; None for the terminal panel (text)."""
    return get(name).render(summary, ctx)


def _guarded(plugin: plugins.Boundary[OutputFormat]) -> OutputFormat:
    """A plugin's format whose render runs behind its boundary: one that raises, gives
    nothing, not text, or text UTF-8 cannot encode (a lone surrogate) is its package's
    error, exit 2 — never the panel in place of the report asked for, and the same whether
    the report goes to standard output or into --output."""
    chosen = plugin.value

    def render(summary: RunSummary, ctx: RenderContext) -> str | bytes:
        # mypy joins str | bytes to a Sequence
        return cast("str | bytes", plugin.call(lambda f: f.render(summary, ctx), _text))
    return OutputFormat(chosen.name, chosen.description, chosen.extension, render)


def _text(out: object) -> str | bytes | plugins.Wrong:
    """A render's report as plain `str` or `bytes` (a subclass's own methods are plugin
    code: copied, never called), or what is wrong with it."""
    if out is None:
        return plugins.Wrong("produced nothing (its render returned None)")
    if isinstance(out, bytes):
        return bytes(memoryview(out))
    if not isinstance(out, str):
        return plugins.Wrong(f"gave {type(out).__name__}, not text")
    text = str.__str__(out)
    bad = _not_utf8(text)
    return plugins.Wrong(f"gave text UTF-8 cannot encode ({bad})") if bad else text


def _not_utf8(text: str) -> str | None:
    """Where `text` holds what UTF-8 cannot encode (a lone surrogate), or None: written to
    standard output it would depend on the locale's error handler, into a file it fails."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"{text[exc.start]!r} at character {exc.start}"
    return None


def docs_table(chosen: dict[str, OutputFormat] | None = None) -> str:
    """The Markdown table of formats that docs/plugins.md holds (a test keeps it equal)."""
    rows = [f"| `{f.name}` | `{f.extension}` | {f.description} |"
            for f in (chosen if chosen is not None else BUILTIN).values()]
    return "\n".join(["| format | extension | what it prints |", "|---|---|---|", *rows]) + "\n"
