"""The Markdown report (`--format markdown`, the pull request's summary, the job summary)
shows what a model wrote — and what the code it read may have told it to write — as text.

A finding's title went in raw: `![px](https://evil.example/p.png)` became an image fetched
whenever the comment was viewed, `<a href=…>`, `<img onerror>`, `<svg>`, `<iframe>` live
HTML, `@someone` a mention; a reviewer's error, an analyzer's reason and a task's title
too. Now every such text is `plain_text`, its code spans kept (`model_text`).

Generated (hypothesis, derandomized): titles, reasons and task titles built from words and
every Markdown/HTML metacharacter, links, images, autolinks, raw HTML, entities, mentions,
issue references and backtick runs. The oracle is a CommonMark renderer (markdown-it, HTML
on): the report renders to the report's own elements only, with no link, image or raw
HTML; no `@name` or `#123` is left in text GitHub would make a mention or a reference of;
and every character that was written is shown (code spans' fences aside).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.render import model_text, plain_text, to_markdown
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from tests.support.markdown_text import OWN, TEXT, rendered


def _summary(title: str, reason: str, task: str) -> RunSummary:
    found = Finding(severity=Severity.MUST_FIX, file="app.py", start_line=3, end_line=3,
                    title=title, rationale="r", confidence=0.9, agent="review-security")
    gone = found.model_copy(update={"title": f"out {title}", "start_line": 9, "end_line": 9,
                                    "fingerprint": ""})
    ledger = Ledger(round=1, entries=[
        Entry.single(found, Status.OPEN, "reported"),
        Entry.single(Finding(**{**gone.model_dump(), "fingerprint": ""}), Status.OUT_OF_SCOPE,
                     reason)],
        health=[Health(kind="analyzer", name="bandit", status="failed", reason=reason)])
    return RunSummary(
        task_id="3", task_title="t", ledger=ledger, newly_eligible=[f"4 {task}"],
        escalations=[reason], gates=[("tests", False, reason)],
        reviewers=[ReviewerOutcome(agent="review-security", status="failed", error=reason),
                   ReviewerOutcome(agent="review-tests", status="skipped", reason=reason)])


def _shown(text: str) -> str:
    """What a reader sees of `text`, compared without code spans' fences and spacing."""
    return re.sub(r"\s+", "", text.replace("`", ""))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(title=TEXT.filter(lambda t: t.strip() and len(t) <= 110), reason=TEXT, task=TEXT)
def test_nothing_a_run_wrote_renders_as_a_link_an_image_html_or_a_mention(
        title: str, reason: str, task: str) -> None:
    markdown = to_markdown(_summary(title, reason, task))
    page = rendered(markdown)
    assert set(page.tags) <= OWN, markdown
    outside_code = "".join(page.text)
    assert not re.search(r"@\w|#\d|(?i:gh-\d)", outside_code), markdown
    seen = _shown("".join(page.all_text))
    for written in (title, reason, task):
        assert _shown(written) in seen, (written, markdown)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(text=TEXT)
def test_model_text_alone_is_one_paragraph_of_text_and_code(text: str) -> None:
    for shown in (plain_text(text), model_text(text)):  # code: a mention's word, a span
        page = rendered(f"- {shown}")
        assert set(page.tags) <= {"ul", "li", "code", "p"}, shown
        assert _shown("".join(page.all_text)) == _shown(text), shown
        outside_code = "".join(page.text)
        assert not re.search(r"@\w|#\d|(?i:gh-\d)", outside_code), shown


def test_a_title_s_code_spans_stay_code_and_the_rest_is_text():
    assert model_text("Use `==` not `is` for ``a`b``") \
        == "Use `==` not `is` for `` a`b ``"
    assert model_text("![px](https://evil.example/p.png) @someone #12") \
        == "\\!\\[px\\](https\\://evil.example/p.png) `@someone` `#12`"
    assert model_text("# heading") == "\\# heading"
    assert plain_text("@someone GH-12") == "`@someone` `GH-12`"  # a PR names its files
    assert model_text("unclosed ` tick") == "unclosed \\` tick"


def test_the_hostile_titles_of_the_report_become_text():
    summary = _summary("![px](https://evil.example/p.png) <img src=x onerror=alert(1)>",
                       '<a href="https://evil.example">x</a>', "<iframe src=//e.x> @someone")
    markdown = to_markdown(summary)
    assert "- 🔴 **must fix** `app.py:3` \\!\\[px\\](https\\://evil.example/p.png) " \
        "\\<img src=x onerror=alert(1)\\> (review-security)" in markdown
    assert "- 4 \\<iframe src=//e.x\\> `@someone`" in markdown
    assert set(rendered(markdown).tags) <= OWN


@settings(max_examples=200, derandomize=True, deadline=None)
@given(text=TEXT, lead=st.booleans())
def test_a_text_is_escaped_as_the_word_by_word_search_escapes_it(text: str, lead: bool) -> None:
    """`_plain` skips its search for reference words in a text holding none of what such a
    word holds (`_REFERENCE_AT`): its answer is the search's, reference or not."""
    from reviewloop.git.names import code_span
    from reviewloop.reports.render import _REFERENCE, _escaped, _plain

    out, done = [], 0
    for word in _REFERENCE.finditer(text):
        out += [_escaped(text[done:word.start()], lead=lead and not done), code_span(word[0])]
        done = word.end()
    out.append(_escaped(text[done:], lead=lead and not done))
    assert _plain(text, lead=lead) == "".join(out)
