"""A changed file's name is shown to people — the terminal panel, Markdown (the report, a pull
request's review body), ruff's lines — with every character that is not printable written
visibly (`\\x1b`, `\\u202e`): a name holding ESC, a line break or a right-to-left override
can neither rewrite the reviewer's terminal nor fake a report line. A Markdown code span
holds the name whole whatever backticks it has. JSON keeps the name itself."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from reviewloop.cli.panel import to_rich
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.git.names import printable
from reviewloop.github.render import review_body
from reviewloop.reports.lines import to_ruff
from reviewloop.reports.render import code_span, plain_text, to_markdown
from reviewloop.reports.report import REVIEW_ID, RunSummary
from tests.support.repos import feature_branch
from tests.support.review_cli import review

# what a name must not bring to a screen: C0 and C1 controls, DEL, format characters (bidi
# overrides and isolates, zero-width ones), line and paragraph separators
_UNSAFE = ("Cc", "Cf", "Zl", "Zp")
_HOSTILE = st.sampled_from(["\x1b[31m", "\x1b]0;title\x07", "\r", "\n", "\x00", "\x7f",
                            "\x9b", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028",
                            "`", "``", "\\x1b", " ", "\u00a0"])
_CHARS = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Ll", "Nd", "Po"],
                       exclude_characters="/")
_NAMES = st.lists(_HOSTILE | st.text(_CHARS, min_size=1, max_size=3), min_size=1,
                  max_size=6).map("".join).filter(
    lambda n: n.strip() and n not in (".", "..") and "\x00" not in n.strip())


def _unsafe(text: str) -> set[str]:
    return {c for c in text if c != "\n" and unicodedata.category(c) in _UNSAFE}


def _finding(name: str) -> Finding:
    return Finding(severity="must_fix", file=name, start_line=4, end_line=4,
                   title=f"Shell call in {name}", rationale="because", confidence=0.9,
                   agent="review-security")


def _summary(found: Finding) -> RunSummary:
    """A review whose one changed file, `found`'s, is named in every part the panel and
    Markdown show: created, line counts, a finding, not analysed and not read."""
    unread = Health(kind="analyzer", name="bandit", agent="review-security", status="ok",
                    files=(found.file,), unread={found.file: "syntax error"})
    ledger = Ledger(round=1, entries=[Entry.single(found, Status.OPEN, "test")],
                    health=[unread])
    return RunSummary(task_id=REVIEW_ID, task_title="main...feature", ledger=ledger,
                      files_created=[found.file], line_counts={found.file: (5, 0)},
                      skipped=[f"{found.file}: a binary file"])


def _spans(markdown: str) -> list[str]:
    """The content of each code span in `markdown`, as a CommonMark parser reads it."""
    return [t.content for block in MarkdownIt().parse(markdown) if block.children
            for t in block.children if t.type == "code_inline"]


@given(name=_NAMES | st.text(min_size=1, max_size=12))
@example(name="a\x1b[31mred.py")
@example(name="back`tick.py")
@example(name="` a ")
def test_a_shown_name_holds_nothing_unsafe_and_a_code_span_holds_it_whole(name: str) -> None:
    shown = printable(name)
    assert not _unsafe(shown) and "\n" not in shown
    assert shown == name or not name.isprintable()  # a printable name is shown as it is
    assert _spans(f"- {code_span(name)} x") == [shown]


@settings(max_examples=60, deadline=None)
@given(name=_NAMES)
@example(name="lf\nfake.py")
@example(name="back`tick.py")
@example(name="@0")  # drawn in CI: a mention's code span runs to the next blank
def test_the_panel_and_markdown_show_a_name_escaped(name: str) -> None:
    found = _finding(name)
    summary = _summary(found)
    console = Console(record=True, width=400, color_system=None)
    console.print(to_rich(summary))
    terminal = console.export_text()
    assert not _unsafe(terminal)
    assert printable(found.location) in terminal  # on one line: no line break was kept
    assert printable(found.file) in terminal

    markdown = to_markdown(summary)
    assert not _unsafe(markdown)
    assert printable(found.location) in _spans(markdown)
    assert printable(found.file) in _spans(markdown)  # the Files and Not analysed sections
    assert f"not analysed: {printable(found.file)}: bandit: syntax error" in terminal
    # the entry as one text: a name with `@` is a code span to the next blank (`@0:`)
    assert f"- {plain_text(f'{found.file}: a binary file')}" in markdown.splitlines()

    body = review_body("0" * 40, b"k" * 32, inline=[], listed=[found], overflow=[])
    assert not _unsafe(body)
    assert printable(found.location) in _spans(body)

    lines = to_ruff(summary)
    assert not _unsafe(lines)
    assert lines.startswith(f"{printable(found.file)}:4:1: ")


def test_a_review_of_a_hostile_name_shows_it_escaped_and_reports_it_as_it_is(tmp_path) -> None:
    """`reviewloop review` as a user runs it, on a change adding files whose names hold ESC,
    a line break, a right-to-left override and a backtick, and a binary file no model reads."""
    risky = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    names = ["a\x1b[31mred.py", "lf\nfake.py", "rtl\u202egnp.py", "back`tick.py"]
    binary = "data\x1b[2J\u202e.bin"  # not read by a model: named on its own line
    root = feature_branch(tmp_path / "r", {**dict.fromkeys(names, risky), binary: b"\0\1"})
    args = ("--base", "main", "--head", "feature")

    terminal = review(root, *args).stdout
    assert not _unsafe(terminal)
    assert all(f"{printable(name)}:5" in terminal for name in names)
    assert f"not read: {printable(binary)}: " in terminal

    markdown = review(root, *args, "--format", "markdown").stdout
    assert not _unsafe(markdown)
    assert {f"{printable(name)}:5" for name in names} <= set(_spans(markdown))
    assert f"- {plain_text(binary)}: " in markdown

    report = json.loads(review(root, *args, "--json").stdout)
    assert sorted(report["files"]["created"]) == sorted([*names, binary])  # the names as data
