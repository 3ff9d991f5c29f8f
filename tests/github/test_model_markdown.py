"""A model's raw HTML and open code blocks in an inline comment (`github.model_markdown`).

An unclosed `<details>` or `<pre>` in a finding's rationale swallowed the rest of the
comment on GitHub: the suggestion's label, the fixer's ```suggestion block and the footer
(and `<script>` or `<textarea>`, which GitHub drops with everything in them, hid it). Now
raw HTML is shown as text and a block the model leaves open is closed where its part ends.

Oracle: GitHub's own renderer (cmark-gfm, its extensions, raw HTML let through so that the
test sees what GitHub's filter would then have to cut), its output read by `html.parser`.
Generated (hypothesis, derandomized) from a library of raw HTML and Markdown openers
(`tests/support/markdown_text.py`: add new cases there)."""

from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.markers import read_marker, repository_key, strip_marker
from reviewloop.github.model_markdown import inert
from reviewloop.github.render import comment_body, review_body
from tests.support.markdown_text import MARKUP, RAW_HTML, RAW_TAGS

KEY = repository_key(1296269)
REPLACEMENT = "    run(['ls'])\n"


class Skeleton(HTMLParser):
    """Each element as (its ancestors, its tag), end tags as ("/", tag), and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[tuple[str, ...], str]] = []
        self.attrs: dict[int, dict[str, str | None]] = {}
        self.text: list[str] = []
        self.comments = 0

    def handle_starttag(self, tag, attrs):
        self.attrs[len(self.elements)] = dict(attrs)
        self.elements.append((tuple(self.stack), tag))
        if tag not in {"br", "hr", "img", "input"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        self.elements.append((("/",), tag))
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]

    def handle_comment(self, data):
        self.comments += 1

    def handle_data(self, data):
        self.text.append(data)


def github(markdown: str) -> Skeleton:
    page = Skeleton()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(
        markdown, options=cmarkgfm.Options.CMARK_OPT_UNSAFE))
    page.close()
    return page


def _finding(title: str, rationale: str, suggestion: str) -> Finding:
    return Finding(severity=Severity.MUST_FIX, file="app.py", start_line=3, end_line=3,
                   title=title, rationale=rationale, suggestion=suggestion, confidence=0.9,
                   agent="review-security", replacement=REPLACEMENT)


def _ours_after_the_model(page: Skeleton, *, suggested: bool, fork: bool) -> None:
    """The suggestion's label, the fixer's block and the footer: at the top level, last."""
    starts = [(where, tag) for where, tag in page.elements if where != ("/",)]
    assert starts[-1] == (("p",), "sub"), page.elements  # the footer, in a paragraph
    blocks = [i for i, (where, tag) in enumerate(page.elements)
              if tag == "pre" and where == () and "suggestion" in (
                  page.attrs.get(i, {}).get("lang") or "")]
    assert len(blocks) == int(fork), page.elements
    if suggested:
        assert (("p",), "strong") in starts, page.elements
    raw = {tag for _, tag in page.elements} & RAW_TAGS - {"sub"}
    assert not raw, raw
    assert sum(tag == "sub" for where, tag in page.elements if where != ("/",)) == 1
    assert page.comments == 0


@settings(max_examples=300, derandomize=True, deadline=None)
@given(title=MARKUP.filter(str.strip), rationale=MARKUP.filter(str.strip),
       suggestion=MARKUP | st.just(""), fork=st.booleans())
def test_a_models_markup_never_changes_the_comments_structure(
        title: str, rationale: str, suggestion: str, fork: bool) -> None:
    finding = _finding(title.strip(), rationale, suggestion)
    body = comment_body(finding, KEY, suggest=fork)
    assert read_marker(body, KEY, "finding") is not None
    _ours_after_the_model(github(strip_marker(body)), suggested=bool(suggestion), fork=fork)


@pytest.mark.parametrize("raw", RAW_HTML)
@pytest.mark.parametrize("where", ["title", "rationale", "suggestion"])
def test_raw_html_is_shown_as_text_in_the_place_of_plain_words(raw: str, where: str) -> None:
    """The comment's elements are those of the same comment with a word in its place."""
    def page(text: str) -> Skeleton:
        fields = {"title": "Shell call", "rationale": "Use a list.", "suggestion": "Do so."}
        fields[where] = f"{fields[where]}\n\n{text}\nafter"
        return github(strip_marker(comment_body(_finding(**fields), KEY, suggest=True)))
    hostile, plain = page(raw), page("word")
    assert hostile.elements == plain.elements
    shown = "".join(hostile.text)
    assert raw.replace("<!--", "<!\u200b--") in shown  # as written (`<!--` opens nothing)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(text=MARKUP)
def test_inert_makes_no_element_of_raw_html_and_is_stable(text: str) -> None:
    """No element of raw HTML is left; a text without `<` is left as it is; made twice,
    the same (the comment's parts are made again after a cut)."""
    made = inert(text)
    assert made == inert(made)
    assert not {tag for _, tag in github(made).elements} & RAW_TAGS
    if "<" not in text:
        assert made == text


def test_code_keeps_its_less_than_signs() -> None:
    text = "Write `<pre>` and\n\n```html\n<details>\n```\n\n    <b>\n\nnot <details>"
    page = github(inert(text))
    assert "".join(page.text).count("<") == 4
    assert [tag for where, tag in page.elements if where != ("/",)
            and tag in {"code", "pre"}] == ["code", "pre", "code", "pre", "code"]


def test_a_fence_the_rationale_leaves_open_closes_before_the_suggestions_label() -> None:
    body = strip_marker(comment_body(_finding("t", "Like this:\n```\nx = 1", "Do so."), KEY,
                                     suggest=True))
    page = github(body)
    strong = [where for where, tag in page.elements if tag == "strong" and where != ("/",)]
    assert strong[-1] == ("p",)  # the label, in a paragraph of its own, not in the code
    assert "x = 1\n\nSuggestion: Do so.\n" in "".join(page.text)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(title=MARKUP.filter(lambda t: t.strip() and len(t) <= 110),
       rationale=MARKUP.filter(str.strip))
def test_the_review_body_shows_the_same_markup_as_plain_text(title: str, rationale: str):
    """The review body lists a model's title and rationale as plain text (`model_text`):
    the same library makes no element there either, and the body's own list stays whole."""
    finding = _finding(title.strip(), rationale, "")
    body = review_body("a" * 40, KEY, inline=[], listed=[finding],
                       overflow=[finding.moved(start_line=9, end_line=9)])
    page = github(strip_marker(body))
    assert not {tag for _, tag in page.elements} & RAW_TAGS and page.comments == 0
    assert [where for where, tag in page.elements if tag == "li" and where != ("/",)] == [
        ("ul",), ("ul",)]
