"""The character-reference layer of the secrets scanner: credentials written as HTML or XML
character references.

A browser reads `<meta content="&#103;hp&#95;…">` as `ghp_…`, an XML parser reads
`<t>&#x67;hp…</t>` the same way, and React renders JSX text and attributes so: no rule
matches the text as written. So, in the kinds that decode them (`references.Reference`:
HTML and JSX with HTML's named references, XML and SVG with XML's five), references are
decoded in place on their line, and the line is scanned again with every layer, as
`percent` does with `%XX` runs:

* a reference is `&#` and decimal digits, `&#x` and hex digits, or `&name;` (HTML's
  names, or `amp`, `lt`, `gt`, `quot`, `apos` in XML); the `;` may be left off a numeric
  one, as HTML parsers allow; it is decoded only to a printable character that is not a
  blank;
* only text and attributes are read: references in comments, CDATA sections and (HTML)
  `<script>` and `<style>` elements stay as written, as their readers leave them;
* the file is not parsed: in JSX a reference in a JavaScript string (which JSX leaves as
  written) is decoded too, as a reference in an HTML attribute is;
* a line is decoded only when a reference on it stands for more than the markup's own
  syntax (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, named or numeric): those are how
  markup writes `?a=1&b=2` and `<tag>`, and a line of them alone is not scanned twice (a
  password holding `&` is found as written, `&amp;` and all);
* only what a decoded reference is part of counts (the text as written is the other
  layers'); a hit is reported on the characters of the line as written that it decodes
  from.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from html.entities import html5

from reviewloop.checks.secrets.assignments import Candidate
from reviewloop.checks.secrets.decoded import MAX_DEPTH, described
from reviewloop.checks.secrets.references import Reference

__all__ = ["charref_candidates", "charrefs_decoded"]

_REF = re.compile(r"&(?:#(?P<dec>[0-9]{1,7});?|#[xX](?P<hex>[0-9A-Fa-f]{1,6});?"
                  r"|(?P<name>[A-Za-z][A-Za-z0-9]{1,31});)")
_XML_NAMES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_SYNTAX = frozenset(_XML_NAMES.values())  # what markup escapes to write itself
# where no reader decodes references: comments, CDATA; HTML's raw-text elements too
_XML_RAW = r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)"
_UNREAD = {
    Reference.XML_CHARACTER: re.compile(_XML_RAW, re.DOTALL),
    Reference.HTML_CHARACTER: re.compile(
        _XML_RAW + r"|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE),
}

# (decoded text, depth) -> the claimed candidates in it: the scanner's own scan
Scan = Callable[[str, int], list[Candidate]]


def charref_candidates(text: str, scan: Scan, depth: int = 0,
                       references: frozenset[Reference] = frozenset()) -> Iterator[Candidate]:
    """A candidate for each secret that a character reference of `text` is part of, found
    by scanning its lines decoded (`scan`), on the span of `text` it decodes from; none
    unless `references` (the file's kind) decodes them."""
    kind = next((kind for kind in _UNREAD if kind in references), None)
    if kind is None or depth >= MAX_DEPTH or "&" not in text:
        return
    decoded = charrefs_decoded(text, kind)
    if decoded is None:
        return
    plain, origin, hidden = decoded
    for start, end, rule, description, confidence in scan(plain, depth + 1):
        index = bisect_left(hidden, (end, end))
        if index > 0 and hidden[index - 1][1] > start:  # a decoded reference is part of it
            yield origin[start], origin[end], rule, \
                described(description, "character-reference"), confidence


def charrefs_decoded(text: str, kind: Reference = Reference.HTML_CHARACTER
                     ) -> tuple[str, list[int], list[tuple[int, int]]] | None:
    """The lines of `text` holding a reference `kind`'s reader decodes, each with them
    decoded, a blank line apart; the offset in `text` of each character of it (and of its
    end); and the spans of it that decoded references are. None when none decodes."""
    unread = [match.span() for match in _UNREAD[kind].finditer(text)] if "<" in text else []
    parts: list[str] = []
    origin: list[int] = []
    hidden: list[tuple[int, int]] = []
    line_end = -1  # the end of the line last added
    at = 0  # where `text` is copied from next, on the line being added
    for ref, character in _hiding_lines(text, kind, unread):
        if ref.start() > line_end:  # a new line: finish the last one, start this one
            if line_end >= 0:
                _copy(text, at, line_end, parts, origin)
                parts.append("\n\n")
                origin += (line_end, line_end)
            at = text.rfind("\n", 0, ref.start()) + 1
            found = text.find("\n", ref.end())
            line_end = len(text) if found < 0 else found
        _copy(text, at, ref.start(), parts, origin)
        hidden.append((len(origin), len(origin) + 1))
        parts.append(character)
        origin.append(ref.start())
        at = ref.end()
    if line_end < 0:
        return None
    _copy(text, at, line_end, parts, origin)
    origin.append(line_end)
    return "".join(parts), origin, hidden


def _hiding_lines(text: str, kind: Reference, unread: list[tuple[int, int]]
                  ) -> list[tuple[re.Match[str], str]]:
    """Each decoded reference of `text` (and its character) on a line where one stands
    for more than the markup's own syntax (`& < > " '`): `?a=1&amp;b=2` and `&lt;tag&gt;`
    hide no token's characters, and a line of them alone costs no second scan."""
    found = [(ref, character) for ref in _REF.finditer(text)
             if (character := _character(ref, kind)) is not None
             and not _inside(unread, ref.start())]
    lines = {text.rfind("\n", 0, ref.start()) for ref, character in found
             if character not in _SYNTAX}
    return [(ref, character) for ref, character in found
            if text.rfind("\n", 0, ref.start()) in lines] if lines else []


def _character(ref: re.Match[str], kind: Reference) -> str | None:
    """The printable, non-blank character `ref` stands for in `kind`; None for none."""
    if ref["name"] is not None:
        character = (_XML_NAMES.get(ref["name"]) if kind is Reference.XML_CHARACTER
                     else html5.get(ref["name"] + ";"))
    else:
        code = int(ref["dec"], 10) if ref["dec"] is not None else int(ref["hex"], 16)
        character = chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None
    if character is None or len(character) != 1:
        return None
    return character if character.isprintable() and not character.isspace() else None


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether `at` is in one of `spans` (sorted, apart)."""
    index = bisect_left(spans, (at + 1, at + 1))
    return index > 0 and spans[index - 1][1] > at


def _copy(text: str, start: int, end: int, parts: list[str], origin: list[int]) -> None:
    parts.append(text[start:end])
    origin += range(start, end)
