"""No view for people lets a control or bidi character of a name or of code through raw.
Markdown (and the terminal) showed `e\\x1b[31m…` and `\\u202e` (`git.names.printable`),
but `--format github` wrote ESC and BEL of a file name into its workflow commands (the
Actions log renders ANSI) and the HTML page kept ESC, BEL, CR and U+202E in names and in
its code view (Trojan Source: code shown in an order that is not the one that runs). Now
both show text through the one function Markdown uses.

Generated (hypothesis, derandomized): a file name, title and code line each built from
plain text and characters of every dangerous class — C0 controls, DEL, C1 controls,
bidi overrides and isolates, zero-width and line/paragraph separators. The oracle is the
Markdown view: each dangerous character it shows escaped, the github and HTML views show
escaped the same way, and none of them holds one raw.
"""

from __future__ import annotations

import html
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import printable
from reviewloop.reports.html_run import RunPage, run_html
from reviewloop.reports.lines import escape_data, to_github
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary
from reviewloop.reports.snippets import CodeLine, Snippet
from reviewloop.reports.timeline import Timeline

DANGEROUS = ("\x1b", "\x07", "\r", "\x00", "\x08", "\x7f", "\x85", "\x9b", "\u202e",
             "\u202d", "\u2066", "\u2069", "\u200b", "\u2028", "\u2029", "\ufeff")
PLAIN = st.text("abcxyz_.[]0", min_size=1, max_size=6)
TEXT = st.lists(PLAIN | st.sampled_from(DANGEROUS), min_size=2, max_size=6).map("".join)


def _raw(text: str) -> set[str]:
    """The characters of `text` no view may hold raw (tabs and line feeds are layout)."""
    return {c for c in text if c not in "\t\n" and (
        unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp"))}


def _summary(name: str, title: str) -> tuple[RunSummary, Finding]:
    found = Finding(severity=Severity.MUST_FIX, file=f"{name}.py", start_line=3, end_line=3,
                    title=f"t {title}", rationale=f"because {title}", confidence=0.9,
                    agent="review-security", rule="B602", source="bandit")
    ledger = Ledger(round=1, entries=[Entry.single(found, Status.OPEN, "reported")])
    return RunSummary(task_id="review", task_title="review", ledger=ledger), found


@settings(max_examples=60, derandomize=True, deadline=None)
@given(name=TEXT, title=TEXT, code=TEXT)
def test_github_and_html_show_control_and_bidi_characters_as_markdown_does(
        name: str, title: str, code: str) -> None:
    summary, found = _summary(name, title)
    markdown = to_markdown(summary)
    github = to_github(summary)
    page = run_html(RunPage(name="r", kind="review", summary=summary,
                            timeline=Timeline(total_s=0, spans=[]),
                            snippets={found.fingerprint: Snippet(round=1, lines=[CodeLine(
                                number=3, text=code, added=True, flagged=True)])}))
    shown = html.unescape(page)
    for view in (markdown, github, shown):
        assert not _raw(view), (sorted(_raw(view)), view[:300])
    for dangerous in _raw(name + title):  # as the oracle shows it, so do the others
        visible = printable(dangerous)
        if visible in markdown:  # (a title's white space at its ends is trimmed)
            # a message's CR is a line break the runner reads back (`%0D`)
            assert visible in github or escape_data(dangerous) in github, dangerous
            assert visible in shown, dangerous
    for dangerous in _raw(code):
        assert printable(dangerous) in shown, dangerous
