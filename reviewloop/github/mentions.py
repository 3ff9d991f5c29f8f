"""A model's Markdown for an inline comment, as written, except that no `@name` in it is a
mention GitHub notifies.

GitHub makes a mention of an `@` before a name in the rendered page's text — after
character references are decoded (`&#64;name`, `&commat;name`, `@&#111;ctocat`), not after a
letter or digit (`checkout@v4`, an e-mail address), and not inside code or a link. So the
Markdown is parsed (markdown-it, with GitHub's tables: a pipe ends a cell even inside
backticks, as in cmark-gfm), and only an `@` — written or as a character reference — that
the parser shows as text before a name gets a word joiner (U+2060, invisible) after it.
Code blocks, code spans, link destinations and autolinked URLs stay byte-exact: what a reader
copies from them is what the model wrote — except a code span after a bare web address that
runs into a backtick (cmark-gfm links such an address while it reads the line: the
backtick becomes the address's), and a code span holding `|` (a table's cell ends there):
such text is read both ways, and an `@` that is text in either gets the joiner.

A commit message is plain text to GitHub (no Markdown, no character reference decoded), yet
it links `@name` and every cross-reference — `#12`, `GH-12`, `owner/repo#12`, an issue's or
pull request's address — and "fixes #12" in a commit on the default branch closes that
issue. `commit_text` gives each of them the joiner, so nothing in a title is one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from reviewloop.git.names import printable

JOINER = "\u2060"  # a word joiner: shows nothing, and `@\u2060name` mentions no one
# with and without GitHub's tables: where one is a table to one renderer and a paragraph to
# another, a pipe in backticks ends a cell or not; the text is read both ways
_PARSERS = (MarkdownIt("commonmark").enable(["table", "strikethrough"]),
            MarkdownIt("commonmark").enable(["strikethrough"]))
# a character reference as CommonMark decodes it (named, decimal, hexadecimal)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_NAME_START = re.compile(r"[A-Za-z0-9]")  # what a user's or a team's name starts with
# GitHub links a bare web address of its own accord (its text is then in no mention): a
# written `@` in its path after the host, the address at the start of a paragraph or after
# a space (where cmark-gfm's autolink extension surely takes it)
_BARE_URL = re.compile(r"(?:(?<=[ \t])|^)(?:https?://|www\.)"
                       r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/[^\s<`&]*")
# cmark-gfm links a bare address while it reads the line, up to a space or `<`: a backtick,
# a bracket or a parenthesis in it is then the address's, not a code span's or a link's;
# the text is read both ways
_URL_TICKS = re.compile(r"(?<!<)(?:https?://|www\.)(?P<host>[A-Za-z0-9_.-]*)[^\s<]*")
_MARKUP = re.compile(r"[`\[\]()!*_~\\]")
# in a commit message: an `@` before a name (not after a letter or digit: `checkout@v4`, an
# e-mail address), `#` or `GH-` before a number (alone, or after `owner/repo`), and the
# number of an issue's, pull request's or discussion's address; the joiner goes after each
_COMMIT_REFERENCE = re.compile(r"(?<![A-Za-z0-9])@(?=[A-Za-z0-9])|#(?=[0-9])|(?i:gh-)(?=[0-9])"
                               r"|(?i:/(?:issues|pulls?|discussions)/)(?=[0-9])")
# a link label as CommonMark reads one: up to 999 characters in brackets, no unescaped
# bracket among them
_LABEL = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.){1,999})\]", re.S)
_VARIANTS = 16
_PROBE = 0xF0000  # the first of the private-use characters that stand for the candidates


def unmentioned(markdown: str) -> str:
    """`markdown` as written, except that each `@` GitHub would make a mention of gets a
    word joiner after it (module docstring). Line endings become `\n`, as Markdown reads
    them."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    candidates = list(_candidates(text))
    if not candidates:
        return text
    out: list[str] = []
    done = 0
    for _, end in _mentions(text, candidates):
        out += [text[done:end], JOINER]
        done = end
    out.append(text[done:])
    return "".join(out)


def commit_text(text: str) -> str:
    """`text` (a model's finding title) for a line of a commit message: one line, `printable`,
    and each mention or cross-reference GitHub would make of it broken by a joiner — so no
    one is pinged, no issue gets a timeline entry, and "fixes #3" closes nothing (module
    docstring)."""
    line = printable(" ".join(text.split()))
    return _COMMIT_REFERENCE.sub(lambda found: found[0] + JOINER, line)


def _candidates(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each `@`, or character reference that decodes to one, before a name
    (a letter or a digit, written or as a reference)."""
    for at in re.finditer(r"@|&", text):
        end = at.end() if at[0] == "@" else _reference_end(text, at.start(), "@")
        if end is None:
            continue
        if _NAME_START.match(text, end) or _reference_end(text, end, None) is not None:
            yield at.start(), end


def _reference_end(text: str, start: int, char: str | None) -> int | None:
    """Where the character reference at `start` ends when it decodes to `char` (None: to a
    letter or a digit); None when there is no such reference there."""
    found = _REFERENCE.match(text, start)
    if found is None:
        return None
    decoded = html.unescape(found[0])
    wanted = decoded == char if char else bool(_NAME_START.fullmatch(decoded))
    return found.end() if wanted else None


def _mentions(text: str, candidates: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The candidates the parser shows as text GitHub reads for mentions: each candidate's
    first character is replaced by a private-use character of its own (neither `@` nor
    `&` is anything else to Markdown but an e-mail autolink, which only turns text into a
    link) and the parse tells where each one ends up. A reference link's label is matched
    to its definition as CommonMark does (`_labels`): every copy of a label gets the same
    joiners, or none, so the link survives."""
    probed = list(text)
    for n, (start, _) in enumerate(candidates):
        probed[start] = chr(_PROBE + n)
    written = {chr(_PROBE + n) for n, (start, _) in enumerate(candidates) if text[start] == "@"}
    base = "".join(probed)
    labels = _labels(text, candidates)
    # each label holding a probe defined again, as the probes spell it, ahead of the text
    # (after a blank line, which the text's first block starts after as at the start):
    # otherwise the probes would part a reference from its definition
    ahead = "".join(f"[{base[start:end]}]: x\n" for start, end, _ in labels) + "\n" * bool(labels)
    shown = _shown_probes(ahead + base, written)
    for variant in _url_variants(base):  # markup in a bare address
        shown |= _shown_probes(ahead + variant, written)
    if labels:
        shown |= _same_labels(ahead + base, candidates, labels, shown)
    return [span for n, span in enumerate(candidates) if chr(_PROBE + n) in shown]


def _labels(text: str, candidates: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each bracketed text holding a candidate whose label — trimmed,
    its white space collapsed, case-folded (CommonMark's matching, markdown-it's own
    function) — a link reference definition of `text` defines."""
    if "]:" not in text:  # a definition's label is followed by a colon
        return []
    env: dict[str, Any] = {}
    _PARSERS[1].parse(text, env)
    defined = env.get("references", {})
    starts = [start for start, _ in candidates]
    return [(found.start(1), found.end(1), label) for found in _LABEL.finditer(text)
            if (label := normalizeReference(found[1])) in defined
            and any(found.start(1) <= start < found.end(1) for start in starts)]


def _same_labels(probed: str, candidates: Sequence[tuple[int, int]],
                 labels: Sequence[tuple[int, int, str]], shown: set[str]) -> set[str]:
    """The probes in every copy of a label (its definition's, a reference's) one of whose
    copies has a probe shown as text — but for copies in code or a link's address, which
    stay as written."""
    kept = _kept_probes(probed)
    members: dict[str, set[str]] = {}
    for start, end, label in labels:
        members.setdefault(label, set()).update(
            chr(_PROBE + n) for n, (at, _) in enumerate(candidates) if start <= at < end)
    return {probe for group in members.values() if group & shown for probe in group - kept}


def _kept_probes(probed: str) -> set[str]:
    """The probes the parser reads in code or in a link's or image's address."""
    kept: set[str] = set()
    for token in (t for parser in _PARSERS for t in parser.parse(probed)):
        if token.type in ("code_block", "fence"):
            kept |= _probes(token.content)
        for child in token.children or ():
            if child.type == "code_inline":
                kept |= _probes(child.content)
            kept |= _probes(" ".join(str(child.attrs.get(key, "")) for key in ("href", "src")))
    return kept


def _url_variants(probed: str) -> Iterator[str]:
    """`probed` read as cmark-gfm may: with the markup in every bare address that holds any
    taken as the address's, and in each one of them alone (where they are more than
    `_VARIANTS`, every probe is shown: a text that many addresses gets joiners throughout)."""
    urls = [u for u in _URL_TICKS.finditer(probed) if _linked(u)]
    if len(urls) > _VARIANTS:
        yield re.sub(r"[`<>\[\]()&|\\]", "", probed)  # no code, link or HTML: all text
        return
    for chosen in ([urls] if urls else []) + ([[u] for u in urls] if len(urls) > 1 else []):
        out, done = [], 0
        for url in chosen:
            end = url.end()
            if probed[url.start() - 1:url.start()] == "(":  # a link's address ends at `)`
                end = min(end, url.start() + (url[0] + ")").index(")"))
            out += [probed[done:url.start()], _MARKUP.sub("'", probed[url.start():end])]
            done = end
        yield "".join(out) + probed[done:]


def _linked(url: re.Match[str]) -> bool:
    """Whether cmark-gfm takes the host of a bare address (`_URL_TICKS`) as a domain (one
    with no `_` in its last two labels) and the address holds markup."""
    return (bool(url["host"]) and "_" not in "".join(url["host"].split(".")[-2:])
            and bool(_MARKUP.search(url[0])))


def _shown_probes(probed: str, written: set[str]) -> set[str]:
    """The probe characters that stand in text a mention can be made of: in a text token
    not inside an autolink, not after a letter or digit, not (a written `@`, `written`) in
    a bare web address; and in raw HTML (GitHub renders it), wherever they are."""
    shown: set[str] = set()
    tokens = [t for parser in _PARSERS[:1 + ("|" in probed)] for t in parser.parse(probed)]
    for token in tokens:
        if token.type == "html_block":
            shown |= _probes(token.content)
        elif token.type == "inline" and token.children:
            shown |= _inline_probes(token.children, written)
    return shown


def _inline_probes(children: Sequence[Token], written: set[str]) -> set[str]:
    shown: set[str] = set()
    in_autolink = False
    # cmark-gfm (GitHub's renderer) may miss a code span after a backtick run that closes
    # none: then every code span of the paragraph is read as text too
    stray = any(child.type == "text" and "`" in child.content for child in children)
    # nor does it link a bare address after a `[` that opens no link (it may be one's text)
    urls = not any(child.type == "text" and "[" in child.content for child in children)
    line_start = True
    for child in children:
        if child.type == "link_open" and child.markup == "autolink":
            in_autolink = True
        elif child.type == "link_close" and child.markup == "autolink":
            in_autolink = False
        elif child.type == "html_inline" or (child.type == "code_inline" and stray):
            shown |= _probes(child.content)
        elif child.type == "text" and not in_autolink:
            shown |= _text_probes(child.content, line_start, written if urls else set())
        line_start = False
    return shown


def _text_probes(content: str, line_start: bool, written: set[str]) -> set[str]:
    urls = [(u.start(), u.end()) for u in _BARE_URL.finditer(content)
            if u.start() > 0 or line_start]
    return {char for index, char in enumerate(content) if _is_probe(char)
            and not (index and content[index - 1].isascii() and content[index - 1].isalnum())
            and not (char in written and any(start < index < end for start, end in urls))}


def _probes(content: str) -> set[str]:
    return {char for char in content if _is_probe(char)}


def _is_probe(char: str) -> bool:
    return ord(char) >= _PROBE
