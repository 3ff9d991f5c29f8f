"""The unescaping layer of the secrets scanner: credentials written with string escapes.

A YAML loader joins `"AKIAQWERTY\\` and the next line's `UIOPASDFGH"` (an escaped line
break) into one AWS key id, and reads `"\\x41KIA…"` or `"\\u0041KIA…"` as `AKIA…`; so do
JSON parsers (`\\uXXXX`, surrogate pairs too), Python, JavaScript, Go and shell `$'…'`
strings. No rule matches the text as written, while detect-secrets, which parses YAML
values, reports it. So string literals whose escapes change what they hold are unescaped,
and the unescaped literal is scanned with every rule, as `decoded` scans decoded runs:

* a literal is a double-quoted string (which may go on past an escaped line break, or past a
  plain one onto an indented line: a YAML flow scalar's folding), a single-quoted one on one
  line (Python, JavaScript) or a shell `$'…'` string;
* only a literal holding a backslash is matched (the regex needs one), and only one whose
  backslashes decode a character (`\\xHH`, `\\uHHHH`, `\\u{H…}`, `\\UHHHHHHHH`, octal) or
  join lines is unescaped and scanned: `"\\n"`, `"C:\\\\new\\\\table"` and regexes
  (`"\\\\d\\\\w"`) cost a regex match, no scan;
* the literal is scanned unescaped with the text before it on its line and after it on its
  last line, so that a keyword rule sees its name (`password: "p\\x40ss…"`), and only what is
  found inside the literal counts;
* Python's named escapes (`\\N{LATIN SMALL LETTER G}`) are read in a Python file's
  literals only (`named`): elsewhere `\\N` is no escape, and the text is kept as written;
* a secret found unescaped that no escape is part of is left to the rules on the text as
  written (its span and name); one an escape is part of is claimed before them, on the whole
  literal, so that a rule matching the part before an escape (a key split by an escaped line
  break) does not leave the rest unredacted.

A hit is reported on the literal's body (so it is redacted whole), on its first line, under
the inner rule's id, its description saying it was escaped; several in one literal each on
its share of the body (`decoded.shares`), so that every credential to rotate is named.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import NamedTuple

from reviewloop.checks.secrets.assignments import Candidate
from reviewloop.checks.secrets.decoded import shares

__all__ = ["Unescaped", "escaped_candidates", "escaped_literals", "unescape"]

# a double-quoted literal with a backslash in it: an escape (an escaped line break among
# them), or a line break onto an indented line (YAML folds it to a space); a single-quoted
# one on one line; a shell `$'…'` string (single-quoted, escapes read). A literal opens at a
# quote no backslash escapes (none before it, or an even run: `\\"`): an escaped quote
# is a literal's character, and trying each as an opening quote read the rest of an unclosed
# literal again from each (`a\"b\"c\"…` on one line: quadratic)
_OPEN = r'(?:{q}(?<!\\{q})|\\(?<!\\\\)\\(?:\\\\)*{q})'
_LITERAL = re.compile(
    _OPEN.format(q='"') + r'(?P<double>[^"\\\n]*(?:\r?\n(?=[ \t])[^"\\\n]*)*'
    r'\\(?:\r?\n|.)[^"\\\n]*(?:(?:\\(?:\r?\n|.)|\r?\n(?=[ \t]))[^"\\\n]*)*)"'
    r"|" + _OPEN.format(q="'") + r"(?P<single>[^'\\\n]*(?:\\.[^'\\\n]*)+)'")
# a backslash that may decode a character or join lines (escaped backslashes are told apart
# by `unescape`): the cheap test a literal passes before it is unescaped
# (not one for a control character: `\\x1b`, `\\033`, `\\u0007`, the ANSI codes of a
# terminal string)
_DECODES = re.compile(
    r"\\(?:x[2-9a-fA-F]|u(?!00[01])|U|0[4-7]|[1-3][0-7]{2}|[4-7]|\r?\n)")
_ESCAPE = re.compile(
    r"\\(?:x(?P<x>[0-9A-Fa-f]{2})|u\{(?P<braced>[0-9A-Fa-f]{1,6})\}"
    r"|u(?P<pair>[dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2})|u(?P<u>[0-9A-Fa-f]{4})"
    r"|U(?P<U>[0-9A-Fa-f]{8})|N\{(?P<named>[A-Za-z0-9 -]{1,88})\}|(?P<octal>[0-7]{1,3})"
    r"|(?P<joined>\r?\n[ \t]*)|(?P<other>.))"
    r"|(?P<fold>[ \t]*\r?\n[ \t]*)", re.DOTALL)
# Python's `\N{NAME}`: read as an escape where `named` (a Python file's literals)
_NAMED = re.compile(r"\\N\{[A-Za-z0-9 -]{1,88}\}")
_TOKEN = re.compile(r"\S{6,}")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f",
           "v": "\v", "e": "\x1b", '"': '"', "'": "'", "\\": "\\", "/": "/", " ": " "}

# (text holding the unescaped literal, depth) -> the claimed candidates in it
Scan = Callable[[str, int], list[Candidate]]
MAX_DEPTH = 1  # an escaped literal's text is scanned once; the layer never reads its own output
WINDOW = 256  # characters of its line kept either side of a literal: its key, not every literal


class Unescaped(NamedTuple):
    """A literal's text unescaped, and where in it each decoding escape's output is
    (start, end; start == end where an escaped line break joined two lines)."""

    text: str
    escapes: list[tuple[int, int]]

    def hidden(self, start: int, end: int) -> bool:
        """Whether an escape is part of `text[start:end]`: what the text as written hid."""
        return any(at < end and (after > start or (at == after and at > start))
                   for at, after in self.escapes)


def escaped_candidates(text: str, scan: Scan, depth: int = 0, *, named: bool = False
                       ) -> Iterator[Candidate]:
    """A candidate for each secret that an escape is part of in the unescaped text of an
    escaped literal of `text` (`scan`), on the literal's body (its share of it, for
    several); `named`: Python's `\\N{NAME}` escapes are read too. The
    literals' lines, unescaped, are scanned together, a blank line apart: one scan of a file,
    not one a literal (a scan's fixed cost is most of what a short line costs)."""
    if depth >= MAX_DEPTH or "\\" not in text:
        return
    found: list[tuple[int, int, int, Unescaped]] = []  # (body in `scanned`, literal span)
    parts: list[str] = []
    size = 0
    for start, end, plain in escaped_literals(text, named=named):
        # its line around it, up to `WINDOW` each side: a line of a thousand literals (a
        # minified bundle, `json.dumps`' `\u00e9`s) costs a thousand windows, not a
        # thousand copies of the line
        head = max(text.rfind("\n", max(start - WINDOW, 0), start) + 1, start - WINDOW)
        tail = text.find("\n", end, end + WINDOW)
        # a shell `$'…'` string is read as the quoted value it stands for
        before = re.sub(r"\$'\Z", "'", text[head:start])
        parts.append(before + plain.text + text[end:end + WINDOW if tail < 0 else tail] + "\n\n")
        found.append((size + len(before), start, end, plain))
        size += len(parts[-1])
    if not found:
        return
    hidden: dict[int, list[Candidate]] = {}
    bodies = [at for at, *_ in found]
    for candidate in scan("".join(parts), depth + 1):
        index = bisect_right(bodies, candidate[0]) - 1
        if candidate[0] < bodies[0] or not _hidden_in(candidate, found[index]):
            index += 1  # it starts in the text before the next literal
            if index == len(found) or not _hidden_in(candidate, found[index]):
                continue
        hidden.setdefault(index, []).append(candidate)
    for index, inside in sorted(hidden.items()):
        at, start, end, plain = found[index]
        # several (an `.env` escaped): each on its share of the literal (`decoded.shares`)
        where = [max(candidate[0] - at, 0) / max(len(plain.text), 1) for candidate in inside]
        for (begin, finish), candidate in shares(text, start, end, where, inside):
            yield begin, finish, candidate[2], f"{candidate[3]} (escaped)", candidate[4]


def _hidden_in(candidate: Candidate, literal: tuple[int, int, int, Unescaped]) -> bool:
    at, _, _, plain = literal
    return plain.hidden(candidate[0] - at, candidate[1] - at)


def escaped_literals(text: str, *, named: bool = False
                     ) -> Iterator[tuple[int, int, Unescaped]]:
    """(start, end, unescaped text) of the body of each string literal of `text` whose
    escapes decode a character or join lines (`named`: Python's `\\N{NAME}` among them)."""
    for match in _LITERAL.finditer(text):
        group = "double" if match.group("double") is not None else "single"
        body = match.group(group)
        if not _DECODES.search(body) and not (named and _NAMED.search(body)):
            continue
        plain = unescape(body, fold=group == "double", named=named)
        if plain is not None:
            yield match.start(group), match.end(group), plain


def unescape(body: str, *, fold: bool = True, named: bool = False) -> Unescaped | None:
    """`body` with its escapes read as YAML, JSON, Python, JavaScript, Go and shell `$'…'`
    read them (an unknown escape kept as written, as Python keeps it; a line break folded
    to a space when `fold`, as YAML folds it; Python's `\\N{NAME}` read when `named`, kept
    as written otherwise and when Unicode names no such character); None when no escape
    decodes a character or joins lines, as in `"\\\\d\\\\w"`, or only ones for control
    characters and blanks (`"\\x1b[0m"`), or in words shorter than a secret, which no
    secret holds."""
    parts: list[str] = []
    escapes: list[tuple[int, int]] = []
    length = last = 0
    for match in _ESCAPE.finditer(body):
        kind = match.lastgroup or "other"
        parts.append(body[last:match.start()])
        length += match.start() - last
        last = match.end()
        if kind == "named":  # as written where it is no escape or names no character
            out = (_name(match.group(kind)) if named else "") or match.group()
            decodes = out != match.group()
        elif kind in ("other", "fold"):
            out = (_SIMPLE.get(match.group(kind), match.group()) if kind == "other"
                   else " " if fold else match.group())
            decodes = False
        else:
            out = "" if kind == "joined" else _character(kind, match.group(kind))
            decodes = True
        if decodes and (not out or (out.isprintable() and not out.isspace())):
            escapes.append((length, length + len(out)))  # not `\x1b`, `\0`
        parts.append(out)
        length += len(out)
    parts.append(body[last:])
    plain = "".join(parts)
    # a secret is a token of 6 characters or more (a short password): an escape in a word
    # (`"caf\\u00e9"`) hides none
    tokens = [match.span() for match in _TOKEN.finditer(plain)]
    escapes = [(at, after) for at, after in escapes
               if any(start <= at and after <= end for start, end in tokens)]
    return Unescaped(plain, escapes) if escapes else None


def _name(name: str) -> str:
    """The character Python's `\\N{name}` stands for ("" for none: an unknown name, or a
    named sequence of several, which Python refuses)."""
    try:
        character = unicodedata.lookup(name)
    except KeyError:
        return ""
    return character if len(character) == 1 else ""


def _character(kind: str, digits: str) -> str:
    if kind == "pair":  # JSON and JavaScript write a character past U+FFFF as two escapes
        high, low = int(digits[:4], 16), int(digits[6:], 16)
        return chr(0x10000 + (high - 0xD800) * 0x400 + (low - 0xDC00))
    code = int(digits, 8 if kind == "octal" else 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else chr(code)
