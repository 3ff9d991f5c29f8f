"""The run's HTML page: self-contained, and every text from the run escaped — a hostile
finding title, rationale, file name, reviewer error or gate summary stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Health, Ledger, Status, Suppression
from reviewloop.findings.schema import Finding
from reviewloop.git.names import printable
from reviewloop.reports.html import CSP, esc
from reviewloop.reports.html_run import RunPage, run_html
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from reviewloop.reports.snippets import CodeLine, Snippet
from reviewloop.reports.timeline import Span, Timeline
from tests.support.markdown_text import MARKUP

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
HOSTILE = f"</title></style>{XSS}'\"&amp;"


def finding(title: str, *, file: str = "app.py", line: int = 6, **extra) -> Finding:
    return Finding(severity="must_fix", file=file, start_line=line, end_line=line, title=title,
                   rationale=f"rationale {HOSTILE}", confidence=0.9,
                   agent="review-security", **extra)


class Elements(HTMLParser):
    """The page as a browser's parser reads it: every element and attribute, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


SKIPPED = "no changed file is in this reviewer's scope"


def hostile_page(title: str = HOSTILE) -> str:
    bad = finding(title, suggestion=f"suggest {HOSTILE}")
    joined = finding(f"model says {HOSTILE}").model_copy(update={"source": "llm"})
    other = finding("fine", file=f"dir/{XSS}.py", line=2)
    ignored = Entry.single(finding("ignored one", line=9), Status.SUPPRESSED,
                           f"ignored by @x: {HOSTILE}", suppression=Suppression(
                               kind="command", where="comment 1", by=HOSTILE, reason=HOSTILE))
    first = Entry.single(bad, Status.OPEN, f"reported {HOSTILE}")
    first = first.model_copy(update={"reports": [bad, joined]})  # a model joined the report
    ledger = Ledger(round=1, entries=[first,
                                      Entry.single(other, Status.FIXED, "fixed"), ignored],
                    health=[Health(kind="analyzer", name="bandit", agent="review-security",
                                   status="ok", files=("app.py", f"dir/{XSS}.py"),
                                   unread={f"dir/{XSS}.py": f"could not parse {HOSTILE}"})])
    summary = RunSummary(task_id="review", task_title=f"review of {HOSTILE}", ledger=ledger,
                         reviewers=[ReviewerOutcome(agent=f"rev{XSS}", status="failed",
                                                    error=HOSTILE),
                                    ReviewerOutcome(agent="review-infrastructure",
                                                    status="skipped", reason=SKIPPED)],
                         gates=[(f"gate{XSS}", False, HOSTILE)], escalations=[HOSTILE],
                         llm=True)
    line = Timeline(total_s=4, spans=[Span(kind="review", label=f"rev{XSS}", round=1,
                                           start_s=0, duration_s=4, status=f"ok{XSS}",
                                           detail=HOSTILE, input_tokens=10, cost_usd=0.01)])
    code = Snippet(round=1, lines=[CodeLine(number=6, text=f"x = '{XSS}'", added=True,
                                            flagged=True)])
    return run_html(RunPage(name=f"run{XSS}", kind="review", summary=summary, timeline=line,
                            snippets={bad.fingerprint: code}))


def test_hostile_titles_and_every_other_text_stay_text():
    html = hostile_page()
    page = parsed(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attributes)
    text = "".join(page.text)
    assert HOSTILE in text  # shown as written, as text
    assert text.count(XSS) >= 10
    assert html.count("<style>") == 1 and html.count("</style>") == 1


def test_the_page_loads_nothing_and_forbids_loading_anything():
    html = hostile_page()
    page = parsed(html)
    assert ("content", CSP) in page.attributes and "default-src 'none'" in CSP
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.I)
    assert not {"script", "link", "iframe", "object", "embed", "img"} & set(page.tags)
    assert "@import" not in html and "url(" not in html


def test_the_page_shows_the_verdict_timeline_findings_history_and_coverage():
    html = hostile_page("Shell call with user input")
    text = " ".join("".join(parsed(html).text).split())
    assert "Verdict: not clean" in text and "reviewer failed" in text
    for heading in ("Timeline", "Findings by file", "Coverage matrix", "Reviewers and gates"):
        assert heading in text
    assert "Shell call with user input" in text and "round 1: open reported" in text
    assert "Suppressed (command)" in text
    assert "Also reported as:" in text and f"model says {HOSTILE} — review-security" in text
    assert "not read: bandit: could not parse" in text  # the matrix says why
    assert "$0.01" in text and "10 tok" in text  # the bar's tokens and cost
    assert f"review-infrastructureskipped00.0 s0 / 0{SKIPPED}" in text  # why, not blank


@given(st.text(max_size=120).filter(lambda t: t.strip()))
def test_any_title_is_escaped(title):
    html = hostile_page(title.strip()[:120])
    page = parsed(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert esc(title.strip()[:120]) in html


class Skeleton(HTMLParser):
    """The page's tags in order, start and end, as a browser's tokenizer meets them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        self.tags.append(f"/{tag}")

    def handle_comment(self, data):
        self.tags.append("<!--")


def model_page(text: str) -> str:
    """A run's page with `text` in every place a model's or a tool's words are shown."""
    said = finding(text.strip() or "t", suggestion=text).model_copy(
        update={"rationale": text or "r", "more_here": [text]})
    entry = Entry.single(said, Status.OPEN, text)
    ledger = Ledger(round=1, entries=[entry], health=[Health(
        kind="analyzer", name="bandit", agent="review-security", status="failed",
        reason=text, files=("app.py",), unread={"app.py": text})])
    summary = RunSummary(task_id="review", task_title=text, ledger=ledger, reviewers=[
        ReviewerOutcome(agent="review-security", status="failed", error=text)],
        gates=[("tests", False, text)], escalations=[text], skipped=[text], llm=True)
    code = Snippet(round=1, lines=[CodeLine(number=6, text=text, added=True, flagged=True)])
    return run_html(RunPage(name="r1", kind="review", summary=summary, snippets={
        said.fingerprint: code}, timeline=Timeline(total_s=1, spans=[Span(
            kind="review", label=text, round=1, start_s=0, duration_s=1, detail=text)])))


def skeleton(page: str) -> list[str]:
    parser = Skeleton()
    parser.feed(page)
    parser.close()
    return parser.tags


@settings(max_examples=150, derandomize=True, deadline=None)
@given(text=MARKUP)
def test_a_models_raw_html_never_changes_the_pages_structure(text: str) -> None:
    """An unclosed `<pre>`, `<textarea>`, `<script`, a stray `</td>` or `<!--` in a finding's
    message, suggestion or any other run text: the page's elements are those of the same
    page with a plain word there, and the text is shown as written."""
    page = model_page(text)
    assert skeleton(page) == skeleton(model_page("word"))
    shown = "".join(parsed(page).text)
    assert printable(text.strip(), keep="\t\n") in shown
