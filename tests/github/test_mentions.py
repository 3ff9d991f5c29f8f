"""An inline comment passes a model's Markdown through (code, a suggestion), but no `@name`
in it notifies anyone (`github/mentions.py`).

Generated (hypothesis, derandomized) from pieces a model writes — mentions in every block,
written as character references (`&#64;name`, `&commat;`, `@&#111;ctocat`), code spans and
links holding an `@` — and judged by GitHub's own renderer (cmark-gfm, with GitHub's
extensions): no mention is left in the page's text outside code and links (GitHub's rule:
not after a letter, a digit or `_`), nothing changes but the invisible joiners, and code
blocks, code spans and link addresses read byte for byte as written (unless a web address
runs into a backtick, or a code span holds `|`: GitHub may read those either way, so both
are guarded).
"""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.markers import read_marker, repository_key, strip_marker
from reviewloop.github.mentions import JOINER, unmentioned
from reviewloop.github.render import comment_body
from tests.support.markdown_text import MENTION, outside_code

KEY = repository_key(1296269)

CODE = ["```\n@code\n```", "~~~ py\n@decorator\ndef f(): ...\n~~~", "    @indented",
        "> ```\n> @quoted_code\n> ```", "- ```\n  @listed_code\n  ```"]
TEXTUAL = ["@someone", "@org/team", "hi @a1", "(@x)", "**@bold**", "<b>@html</b>",
           "<div>\n```\n@in_html_block\n```\n</div>", "```a`b\n@not_a_fence\n",
           "`@in_a_span`", "a@b.example", "> @quoted", "- @listed", "# @heading",
           "\r\n@after_cr", "@", "@-", "text", "\\@escaped", "_@under", "é@accent"]
REFERENCES = ["&#64;octocat", "&#x40;octocat", "&#X40;o", "&#0064;team", "&commat;octocat",
              "@&#111;ctocat", "@&#x6F;x", "&#64;&#111;x", "&commat;&#x6f;", "**&#64;b**",
              "x&#64;y", "&#64;", "&amp;#64;x", "\\&#64;x", "<b>&#64;x</b>", "&#64;-"]
SPANS = ["`FROM node:20@sha256:0123abcd`", "`@property`", "`npm i @scope/pkg@1.2.3`",
         "`uses: actions/checkout@v4`", "``a`@b``", "`&#64;x`", "checkout@v4",
         "[pkg](https://www.npmjs.com/package/@types/node)", "[t](</a/@b c>)",
         "https://www.npmjs.com/package/@types/node", "<https://r.example/@scope/x>",
         "x/https://a.example/@y", "https://a_b.c_d/@y", "www.a.example/@y",
         "![@alt](https://i.example/@x.png)", "[@in_link](https://l.example)",
         "[t](https://a.example/&#64;x)", "https://a.example/&#64;x"]
TABLES = ["| a | b |\n|---|---|\n| `x | @y` |", "| `@a` | @b |\n|---|---|\n| c | d |"]
PIECES = st.lists(st.sampled_from(CODE + TEXTUAL + REFERENCES + SPANS + TABLES),
                  min_size=1, max_size=5)
JOINS = st.lists(st.sampled_from(["\n\n", "\n", " ", "", "*", "("]), min_size=5, max_size=5)


# a web address running into a backtick or a character reference, a `|` in a code span (a
# table's cell may end there), an address glued to a word or after a `[`: GitHub may read
# those two ways, so `unmentioned` guards both and a code span or such an address may get
# a joiner
GLUED = re.compile(r"(?:https?://|www\.)[^\s<`&]*[`&]|`[^`]*\||\S(?:https?://|www\.)"
                   r"|\[[^\]]*(?:https?://|www\.)")


def _gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown)


def _exact(rendered_html: str) -> list[str]:
    """What must read as written: code blocks, code spans, links' and images' addresses."""
    return re.findall(r"<pre[\s>].*?</pre>|<code>.*?</code>|(?:href|src)=\"[^\"]*\"",
                      rendered_html, flags=re.S)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(pieces=PIECES, joins=JOINS)
def test_an_inline_comment_keeps_its_markdown_and_mentions_no_one(pieces: list[str],
                                                                   joins: list[str]) -> None:
    markdown = "".join(p + j for p, j in zip(pieces, joins, strict=False))
    quiet = unmentioned(markdown)
    shown = _gfm(quiet)
    assert not MENTION.search(outside_code(shown)), (markdown, shown)
    normal = markdown.replace("\r\n", "\n").replace("\r", "\n")
    assert quiet.replace(JOINER, "") == normal  # nothing else changed
    if not GLUED.search(normal):
        assert _exact(shown) == _exact(_gfm(normal)), (markdown, shown)


@pytest.mark.parametrize("written", REFERENCES[:10])
def test_a_mention_written_as_character_references_is_shown_but_pings_no_one(
        written: str) -> None:
    """Before: `&#64;octocat` passed untouched and rendered `@octocat` as text."""
    shown = _gfm(unmentioned(f"Ask {written} about it"))
    assert not MENTION.search(outside_code(shown)), shown
    assert f"@{JOINER}" in outside_code(shown), shown  # it still reads as `@name`


@pytest.mark.parametrize("written", [*SPANS[:4], SPANS[7], SPANS[9], SPANS[10]])
def test_code_spans_and_addresses_are_left_byte_exact(written: str) -> None:
    """Before: every `@` before a letter got a joiner, inside code spans and URLs too: a
    decorator or a digest copied from the comment carried an invisible character, and a
    link to `@types/node` went to `@%E2%81%A0types`."""
    assert unmentioned(f"See {written} here") == f"See {written} here"


@settings(max_examples=60, derandomize=True, deadline=None)
@given(pieces=PIECES)
def test_an_inline_comment_of_a_finding_mentions_no_one(pieces: list[str]) -> None:
    rationale = "\n\n".join(pieces)
    finding = Finding(severity=Severity.SHOULD_FIX, file="app.py", start_line=3, end_line=3,
                      title="Ask @maintainer", rationale=rationale, confidence=0.9,
                      agent="review-security")
    body = comment_body(finding, KEY)
    shown = _gfm(strip_marker(body))
    assert not MENTION.search(outside_code(shown)), body
    assert read_marker(body, KEY, "finding") is not None
    assert f"Ask @{JOINER}maintainer" in body


def test_a_suggestion_is_applied_as_written() -> None:
    finding = Finding(severity=Severity.SHOULD_FIX, file="app.py", start_line=3, end_line=3,
                      title="t", rationale="r", confidence=0.9, agent="review-security",
                      replacement="@property\ndef x(): ...\n")
    body = comment_body(finding, KEY, suggest=True)
    assert "```suggestion\n@property\ndef x(): ...\n```" in body


# reference-style links whose labels hold an `@` (or a reference to one): their
# definitions, full, collapsed and shortcut references (case and white space vary, as
# CommonMark's matching allows), and copies of a label in code and in plain text
DEFINITIONS = ["[@x]: https://d.example/x", "[&#64;y]: https://d.example/y",
               "> [@q]: https://d.example/q", "[a @z]: https://d.example/z",
               "[@x]: https://d.example/again"]
USES = ["[text][@x]", "[@x][]", "[@x]", "[@X]", "[t][@Y]", "[&#64;y]", "[t][&#64;y]",
        "[q][@q]", "[@q]", "[a\n@z]", "[A  @Z][]", "`[@x]`", "\n```\n[@x]\n```\n", "[@none]",
        "@x", "[@x](https://i.example/@x)", "\\[@x]"]
LABELLED = st.tuples(st.lists(st.sampled_from(USES), min_size=1, max_size=4),
                     st.lists(st.sampled_from(DEFINITIONS), min_size=1, max_size=3))
LINK = re.compile(r'<a href="https://[di]\.example/[^"]*"')


@settings(max_examples=200, derandomize=True, deadline=None)
@given(pieces=LABELLED, joins=st.lists(st.sampled_from(["\n\n", " ", "\n"]), min_size=4,
                                       max_size=4))
def test_a_reference_link_labelled_with_a_name_keeps_its_link_and_mentions_no_one(
        pieces: tuple[list[str], list[str]], joins: list[str]) -> None:
    """Before: the joiner went into a reference's label (`[text][@⁠x]`, a shortcut `[@⁠x]`)
    and not into its definition's (`[@x]: …`): the labels no longer matched and the link
    was lost. Now every copy of a label gets the same joiners, or none."""
    uses, definitions = pieces
    markdown = "".join(p + j for p, j in zip(uses, joins, strict=False)) + "\n\n" + \
        "\n".join(definitions)
    quiet = unmentioned(markdown)
    shown = _gfm(quiet)
    assert not MENTION.search(outside_code(shown)), (markdown, shown)
    assert quiet.replace(JOINER, "") == markdown
    assert LINK.findall(shown) == LINK.findall(_gfm(markdown)), (markdown, quiet)
    assert _exact(shown) == _exact(_gfm(markdown)), (markdown, shown)
