"""Hostile text for what reviewloop shows of a model's words in Markdown, and a CommonMark
renderer (markdown-it, HTML on) to judge what it renders to: the Markdown report's tests and
the pull request's review body and comments' tests share them."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import strategies as st
from markdown_it import MarkdownIt

# the elements the report itself writes; anything else came from the run
OWN = {"h2", "h3", "p", "ul", "li", "strong", "code", "blockquote"}
HOSTILE = ["![px](https://evil.example/p.png)", '<a href="https://evil.example">x</a>',
           "<img src=x onerror=alert(1)>", "<svg onload=alert(7)>", "<iframe src=//e.x>",
           "<script>alert(1)</script>", "<!-- c", "[click](javascript:alert(6))",
           "<https://evil.example>", "<me@evil.example>", "&lt;b&gt;", "&#60;i&#62;",
           "@someone", "a@b.example", "#123", "org/repo#7", "GH-12", "gh-7", "www.evil.example",
           "http://evil.example", "**bold**", "_em_", "~~del~~", "| a | b |", "`", "``",
           "```", "`x`", "``a`b``", "[ref]: https://evil.example", "[ref]", "\\", "\\`",
           "# h", "> q", "- l", "1. n", "=", "---", "*", "]]>", '"', "'", "!"]
WORDS = st.sampled_from(["Use", "==", "here", "x", "a.b", "42", "é", " "])
TEXT = st.lists(st.sampled_from(HOSTILE) | WORDS, min_size=1, max_size=7).map(" ".join)


class Elements(HTMLParser):
    """The elements a rendered page holds, its text, and its text outside `<code>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []  # text outside <code>
        self.all_text: list[str] = []
        self._code = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._code += tag == "code"

    def handle_endtag(self, tag):
        self._code -= tag == "code"

    def handle_comment(self, data):
        self.tags.append("<!--")

    def handle_data(self, data):
        self.all_text.append(data)
        if not self._code:
            self.text.append(data)


def rendered(markdown: str) -> Elements:
    parsed = Elements()
    parsed.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    parsed.close()
    return parsed


def outside_code(rendered_html: str) -> str:
    """The text of a rendered page outside `<pre>`, `<code>` and links (`<a>`), character
    references decoded: where GitHub looks for mentions and references."""
    text = re.sub(r"<pre[\s>].*?</pre>|<code>.*?</code>|<a[\s>].*?</a>", " ", rendered_html,
                  flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


# GitHub's mention: `@` and a name, at the start of a text or after a character that is not
# a letter, a digit or `_` (html-pipeline's MentionFilter)
MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9]")


# raw HTML and Markdown a model may write that, left as it is, changes a page's structure:
# an element left open swallows what follows it (`<pre>`, `<details>`, `<textarea>`; GitHub
# drops `<script>` and `<textarea>` with everything in them), a stray end tag closes ours
RAW_HTML = ["<pre>", "<pre", "</pre>", "<details>", "<details open>", "<summary>", "</details>",
            "<script>", "<script", "</td>", "</tr></table>", "<table><tr><td>", "<!--", "-->",
            "<textarea>", "<style>", "<xmp>", "<plaintext>", "<div>", "</div>", "</p>",
            "<sub>", "</sub>", "<b", "<?php", "<![CDATA[", "<!DOCTYPE html>", "</code>",
            "<a href='x'>", "<title>", "<noscript>", "<iframe>", "<svg onload=alert(1)>"]
# Markdown that opens a block which may run on: fences, indented code, quotes and lists
OPENERS = ["```", "~~~", "````python", "`", "``", "`<pre>`", "    <pre>", "> ", "- ", "1. ",
           "\\<pre>", "\\", "&lt;", "|"]
MARKUP = st.lists(st.sampled_from(RAW_HTML) | st.sampled_from(OPENERS) | WORDS
                  | st.sampled_from(["\n", "\n\n"]), min_size=1, max_size=9).map("".join)
RAW_TAGS = {"details", "summary", "script", "td", "tr", "table", "textarea", "style", "xmp",
            "plaintext", "div", "sub", "b", "a", "title", "noscript", "iframe", "svg"}
