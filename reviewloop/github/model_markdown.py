"""A model's Markdown as an inline comment shows it (pure): its code kept as code, but its
raw HTML shown as text, no fence of it offering a change to apply, and none left open.

An inline comment passes a model's Markdown through (code blocks, emphasis, lists), so
what a model wrote must not change the comment's structure: an unclosed `<details>`,
`<pre>`, `<script>` or `<textarea>` (GitHub drops the last two, content and all), a stray
`</td>` or an open code fence would swallow the rest of the comment — the suggestion, the
footer. `commonmark` is the oracle: markdown-it says what is HTML and what is code.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

_COMMONMARK = MarkdownIt("commonmark")  # HTML on, as GitHub reads a comment
_PROBE = "reviewloop-end-of-model-text"  # parsed after a model's text: is it still code?
# A line that may open a fenced code block: inside any quotes and list items, a fence of 3+
# backticks or tildes, then its info string (whose first word GitHub reads as the language).
_FENCE = re.compile(r"^(?P<lead>(?:[ \t>*+-]|\d{1,9}[.)])*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$",
                    re.M)
_HTML = frozenset({"html_block", "html_inline"})
_CODE = frozenset({"fence", "code_block"})
# a code span (CommonMark: a run of backticks, up to a run of the same length)
_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
_OPEN = re.compile(r"(?<!\\)<")  # a `<` no backslash makes text already


def defused(text: str) -> str:
    """`text` (a model's Markdown) with every code fence whose info string says
    `suggestion` — in any case, fence length or kind, inside quotes or lists, written with
    character references — made a plain `text` block: GitHub shows such a block as a change
    anyone with write access applies in one click, which model prose must never offer."""
    def plain(line: re.Match[str]) -> str:
        info = html.unescape(line["info"]).casefold()
        if "suggestion" not in info and "suggestion" not in unicodedata.normalize("NFKC", info):
            return line[0]
        return f"{line['lead']}{line['fence']}text"
    return _FENCE.sub(plain, text)


def inert(text: str) -> str:
    """`text` with every piece of raw HTML in it (a block or inline: `<pre>`, `</td>`,
    `<details>`) shown as text — its `<` written `&lt;` — and its code blocks and code spans
    left as they are (`&lt;` in code shows as itself). Checked by parsing again: what is
    still HTML then (a code span markdown-it reads otherwise) has every `<` outside code
    blocks written `&lt;`, and failing that every `<` at all."""
    if "<" not in text:  # nearly every text
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # markdown-it's own lines
    for spans in (True, False):
        tokens = _COMMONMARK.parse(text)
        if not _holds_html(tokens):
            return text
        code = {n for t in tokens if t.type in _CODE and t.map for n in range(*t.map)}
        text = "\n".join(line if n in code else _escaped(line, spans=spans)
                         for n, line in enumerate(text.split("\n")))
    return text if not _holds_html(_COMMONMARK.parse(text)) else text.replace("<", "&lt;")


def _holds_html(tokens: Sequence[Token]) -> bool:
    return any(t.type in _HTML or any(c.type in _HTML for c in t.children or ())
               for t in tokens)


def _escaped(line: str, *, spans: bool) -> str:
    """`line`'s `<` as `&lt;`, outside its code spans when `spans`."""
    if not spans:
        return line.replace("<", "&lt;")
    out, done = [], 0
    for span in _SPAN.finditer(line):
        out += [_OPEN.sub("&lt;", line[done:span.start()]), span[0]]
        done = span.end()
    out.append(_OPEN.sub("&lt;", line[done:]))
    return "".join(out)


def closed(text: str) -> str:
    """`text` with a code fence it leaves open closed at its end, so that what follows (the
    fixer's suggestion, the footer) is not swallowed into a model's code block."""
    if "```" not in text and "~~~" not in text:  # no fence opens without one: most texts
        return text
    for _ in range(3):  # a closing fence may itself sit in a block that swallows it
        tokens = _COMMONMARK.parse(f"{text}\n\n{_PROBE}\n")
        last = next((t for t in reversed(tokens) if t.block and t.content), None)
        if last is None or last.type != "fence" or _PROBE not in last.content:
            return text
        text = f"{text}\n{last.markup}"
    return text


def shown(text: str) -> str:
    """A model's Markdown as an inline comment holds it: `defused`, `inert`, `closed`."""
    return closed(inert(defused(text)))
