"""The format registry is the one list of formats: the plugins page's table and the commands
page's list are held to it, and every built-in renders a summary."""

from __future__ import annotations

import re

from reviewloop.reports.formats import BUILTIN, RenderContext, docs_table, formats
from reviewloop.reports.report import RunSummary
from tests.support.paths import ROOT


def test_the_docs_table_is_the_registrys() -> None:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- formats:[^\n]*-->\n(.*?)<!-- /formats -->", text, re.S)
    assert block is not None
    assert block.group(1) == docs_table(), (
        "docs/plugins.md's table of formats is stale; replace it with the output of\n"
        "python -c 'from reviewloop.reports.formats import docs_table; print(docs_table())'")


def test_the_docs_list_the_registrys_formats() -> None:
    """The commands page: its `review` row and its list of formats."""
    commands = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    row = next(line for line in commands.splitlines() if line.startswith("| `reviewloop review "))
    listed = re.search(r"--format ([\w\\|-]+)", row)
    assert listed is not None and listed.group(1).split("\\|") == list(BUILTIN)
    described = commands[commands.index("`--format` for `review`:"):]
    described = described[:described.index("\n\n")]
    assert [name for name in BUILTIN if f"`{name}`" not in described] == []


def test_every_built_in_renders_a_summary_its_way() -> None:
    summary = RunSummary(task_id="review", task_title="a change")
    rendered = {name: f.render(summary, RenderContext()) for name, f in formats().items()
                if name in BUILTIN}
    assert rendered["text"] is None  # the terminal panel, drawn by the CLI
    assert isinstance(rendered["json"], bytes)
    assert all(isinstance(rendered[n], str) for n in ("markdown", "ruff", "github", "sarif"))
    assert all(f.extension.startswith(".") and f.description for f in BUILTIN.values())
