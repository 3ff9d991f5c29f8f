"""ESLint's inline directives as ESLint reads them, for the suppression markers of its files.

ESLint takes a comment as a directive only when its text, trimmed, starts with the directive's
name (lower case) and a space or its end (`@eslint/plugin-kit`'s `parseDirective`); a comment
that mentions `eslint-disable-line` in prose is just a comment, and silences nothing. The rest:

* `eslint-disable-line` and `eslint-disable-next-line` are read in `//` and `/* */` comments;
  `eslint-disable` and `/* eslint rule: off */` in `/* */` ones only (ESLint skips them in a
  line comment).
* A `/* */` directive that spans lines is read whole, as ESLint reads it: the comment view
  (`script_comments.js_comment_view`) puts its text on the line it starts on, its line
  breaks `SPANNED`. ESLint ignores an `eslint-disable-line` one (no line-or-block pattern
  reads across a break); an `eslint-disable`, an `eslint-enable` or a comment config starts
  where the comment does; an `eslint-disable-next-line` one reaches the line after the
  comment's end (`next_line`; ESLint's lines: `suppressions.tool_lines`). It counts only when
  the trusted side wrote each of its lines (`suppressor`). A comment that says nothing on its
  first line (`/*` alone) is read there too (`MarkerTable.line_markers`' `home_of`).
* The rules are the comma-separated names before ` -- ` (the justification, which needs a
  space on both sides); none: every rule.
* The comment is any `//` or `/*` of the line outside a quoted string or another `/* */`.

The comments that declare instead of disabling are suppression markers too (`DECLARING`):
`/* global a, b:writable */` (or `globals`), `/* eslint-env node */` and `/* exported a */`.

A change that adds `/* global process */` silences ESLint's no-undef on `process` as surely
as an `// eslint-disable-line no-undef` would (`/* eslint-env */` switched the environment's
globals on under ESLint 8's eslintrc, `/* exported */` no-unused-vars in a script); the
review reported the `eslint-disable` and passed the `global` in silence. Each is now a marker
of ESLint's (`eslint.MARKERS`), so the change that adds one gets an `adds-suppression`
finding. It names no rule: a marker silences no finding here, since what a trusted comment
declares is honoured where the globals are read (`eslint_env.declared_globals`), and one on a
line the change wrote is not.

ESLint reads them in block comments only, the directive word first and in lower case
(`/*global a*/` too). The text of one inside a `//` comment (`// see /* global a */`) or in
upper case was read as one: the change that added it was told it adds a suppression.
"""

from __future__ import annotations

import re

from reviewloop.git.languages import JAVASCRIPT, TYPESCRIPT
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.markers import MarkerSyntax, Reach

# JavaScript's white space and line terminators: its `\s` and what `trim()` removes (Python's
# `\s` and `strip()` also take U+001C-U+001F and U+0085, and not U+FEFF: a comment spaced by
# one of those was a directive here and prose to ESLint, or the reverse)
_INLINE = "\t\x0b\x0c \xa0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000"  # (a class's body)
_BREAK = "\n\r\u2028\u2029"  # the line terminators: a `//` comment ends at each
JS_SPACE = _INLINE + _BREAK
SPACE = _S = f"[{JS_SPACE}]"  # one character of it
_TRIM = JS_SPACE.replace("\u2000-\u200a", "".join(map(chr, range(0x2000, 0x200B))))
# what comes before the directive's comment: anything but a slash or a quote, a slash that
# opens no comment (division, a regex), a whole quoted string, a whole `/* */` comment
# (ESLint reads each comment: `/* a */ // eslint-disable-line` is a directive)
_CODE = (r"""^(?:[^/'"`\n]|/\*(?:[^*\n]|\*(?!/))*\*/|/(?![/*])|'(?:\\.|[^'\\\n])*'"""
         r"""|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\\n])*`"""
         rf"|//[^{_BREAK}]*[\r\u2028\u2029])*")  # a `//` comment ended inside git's line
_END = rf"(?={_S}|\*/|$)"  # after the name: a space, the comment's end or the line's


def js_trim(text: str) -> str:
    """`text` as JavaScript's `trim()` leaves it."""
    return text.strip(_TRIM)


# compiled when first asked (`memo.compiled_on_first_use`): a review without JavaScript
# never reads a directive
_JUSTIFICATION = compiled_on_first_use(rf"{_S}-{{2,}}{_S}")
_QUOTED = compiled_on_first_use(r"^(['\"]?)(.*)\1$", re.DOTALL)


def line_or_block(name: str) -> str:
    """`name` as the directive of a `//` comment, or of a `/* */` one closed on its line."""
    word = f"(?-i:{re.escape(name)})"
    # a `/* */` one: on one of ESLint's lines (U+2028 is `SPANNED` too, a real one a break)
    return (rf"{_CODE}(?://{_S}*{word}(?={_S}|$)(?P<rules>[^{_BREAK}]*)"
            rf"|/\*[{_INLINE}]*{word}{_END}"
            rf"(?P<block>(?:[^*{_BREAK}]|\*(?!/))*)\*/)")


def next_line(name: str) -> str:
    """`name` as the directive of a `//` comment, or of a `/* */` one, on its line or spanning
    lines (ESLint reads an `eslint-disable-next-line` one whole, for the line after its end;
    `tool_lines` places it there)."""
    word = f"(?-i:{re.escape(name)})"
    return (rf"{_CODE}(?://{_S}*{word}(?={_S}|$)(?P<rules>[^{_BREAK}]*)"
            rf"|/\*{_S}*{word}{_END}(?P<block>(?:[^*]|\*(?!/))*)\*/)")


def block(name: str) -> str:
    """`name` as the directive of a `/* */` comment closed on its line, or going on past it
    with something said on its line (a rule list, a reason): its first line's rules; the
    comment alone is the `marker` (where it starts is where ESLint places it)."""
    word = f"(?-i:{re.escape(name)})"
    return (rf"{_CODE}(?P<marker>/\*{_S}*{word}{_END}(?=(?:[^*\n]|\*(?!/))*\*/|{_S}*[^{JS_SPACE}])"
            rf"(?P<rules>(?:[^*\n]|\*(?!/))*)(?:\*/|$))")


def rules(match: re.Match[str]) -> frozenset[str] | None:
    """The rules a directive names (before its ` -- ` justification); none: every rule."""
    found = match.groupdict()
    text = found.get("rules") if found.get("rules") is not None else found.get("block")
    listed = _JUSTIFICATION().split(text or "", maxsplit=1)[0]
    # each name trimmed, and out of the quotes around it (ESLint's `parseListConfig`)
    names = frozenset(_QUOTED().sub(r"\2", js_trim(n)) for n in listed.split(","))
    return (names - {""}) or None


# `/* eslint-enable… */` as ESLint reads it: a block comment (a `//` one is skipped) whose
# text starts with the name; open past its line, its list may be on the next: every rule
_ENABLE = re.compile(rf"{_CODE}/\*{_S}*(?:eslint-enable){_END}"
                     r"(?P<rules>(?:[^*\n]|\*(?!/))*)(?P<closed>\*/)?")


# the same anywhere in a line, for its raw text: where code before it fools `_CODE` (JSX
# text `Don't`, a `/` that divides), an enable still ends the block (wider than ESLint)
_ANY_ENABLE = compiled_on_first_use(_ENABLE.pattern.removeprefix(_CODE))


def reenables(comments: str, rule: str | None, *, anywhere: bool = False) -> bool:
    """Whether the comments of a line (`comments`: the rest blanked, `script_comments`) end
    an `eslint-disable` block for `rule`: an `eslint-enable` with no list ends it for every
    rule, one with a list for those it names. Prose (`// eslint-enable later`), a string,
    a line comment or an upper-case name ends nothing, as in ESLint; `anywhere`: a raw
    line, any `/* eslint-enable` in it."""
    match = (_ANY_ENABLE() if anywhere else _ENABLE).search(comments)
    if match is None:
        return False
    named = rules(match) if match.group("closed") else None
    return named is None or rule in named


_LABEL = compiled_on_first_use(rf"([a-z]+(?:-[a-z]+)*)(?:{_S}|$)")


def parse(body: str) -> tuple[str, str] | None:
    """A comment's text (between its delimiters) as ESLint's `parseDirective` reads it: the
    directive's name and what follows it before the ` -- ` justification, trimmed; None:
    no directive (prose, upper case, a name run into a colon)."""
    directive = js_trim(_JUSTIFICATION().split(body, maxsplit=1)[0])
    match = _LABEL().match(directive)
    return (match[1], js_trim(directive[match.end(1):])) if match else None


def block_body(text: str, start: int, end: int) -> str | None:
    """The text of the comment `text[start:end]` when it is a closed `/* */` one, else None
    (a `//` comment, or one left open: a parse error, where ESLint reads nothing)."""
    closed = end - start >= 4 and text.startswith("/*", start) and text.startswith("*/", end - 2)
    return text[start + 2:end - 2] if closed else None


def string_config(value: str) -> dict[str, str | None]:
    """`a, b:writable c : off` as ESLint's `parseStringConfig` reads a `/* global */` list:
    each name and its setting (None: none given)."""
    collapsed = re.sub(rf"(?<!{_S}){_S}*([:,]){_S}*", r"\1", js_trim(value))
    items: dict[str, str | None] = {}
    for name in re.split(rf"{_S}|,+", collapsed):
        if name:
            key, *setting = name.split(":")
            items[key] = setting[0] if setting else None
    return items


# levn's tokens (ESLint parses a comment config with levn): a quoted string whole, a bracket,
# a colon or a comma, or a run of anything else
_TOKEN = compiled_on_first_use(r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[][(){}:,]"""
                    rf"""|[^][(){{}}:,"'{JS_SPACE}]+""")
_OPENS, _CLOSES = "[({", "])}"
_PUNCTUATION = frozenset("[](){}:,")
_SEVERITIES = {"off": "off", "warn": "on", "error": "on"}  # quoted or not
_NUMBERS = {"0": "off", "1": "on", "2": "on"}  # unquoted only (`"0"` is no severity)


def switched_off(match: re.Match[str]) -> frozenset[str] | None:
    """The rules a `/* eslint no-eval: "off", "eqeqeq": 0, x: [off, {…}] */` comment config
    switches off, read as levn reads the object (names and `off` may go unquoted; a name
    given twice: the last setting; a string is a value, whatever it says); `"error"`, `2` or
    `"warn"` switch a rule on and waive nothing (fuzz7 D7). A config ESLint rejects (a
    severity it does not know, what is no `name: setting` list) waives nothing: the
    `no-undef: off` inside `no-restricted-globals: ["error", "no-undef: off"]`, or before a
    `no-undef: "error"` in the same comment, was read as a waiver (the reviewer's D9)."""
    text = _JUSTIFICATION().split(match.group("rules"), 1)[0].strip()
    if text.startswith("{") and text.endswith("}"):  # levn reads the braces' object too
        text = text[1:-1]
    settings = _settings(_TOKEN().findall(text))
    return frozenset(rule for rule, on in (settings or {}).items() if on == "off")


def _settings(tokens: list[str]) -> dict[str, str] | None:
    """Each rule of levn's `name: setting, …` tokens → "off" or "on"; None: no such list."""
    found: dict[str, str] = {}
    at = 0
    while at < len(tokens):
        name = tokens[at]
        if at + 2 >= len(tokens) or tokens[at + 1] != ":" or name in _PUNCTUATION:
            return None
        severity, at = _severity(tokens, at + 2)
        if severity is None or tokens[at:at + 1] not in ([], [","]):
            return None
        found[_QUOTED().sub(r"\2", name)] = severity
        at += 1
    return found


def _severity(tokens: list[str], at: int) -> tuple[str | None, int]:
    """The severity ("off" or "on") of the setting starting at `at` (a value, or a list
    whose first item is one; None: neither), and where the setting ends."""
    first, end = tokens[at], at + 1
    if first == "[":
        depth = 1
        while end < len(tokens) and depth:
            depth += (tokens[end] in _OPENS) - (tokens[end] in _CLOSES)
            end += 1
        first = tokens[at + 1] if not depth and end - at > 2 else ""
    if not first or first in _PUNCTUATION:
        return None, end
    word = _QUOTED().sub(r"\2", first)
    return _SEVERITIES.get(word) or (None if word != first else _NUMBERS.get(word)), end


def _declares(match: re.Match[str]) -> frozenset[str] | None:
    """No rule: a declaration is honoured by the globals it adds, not by waiving findings."""
    return frozenset()


DECLARING = (MarkerSyntax(
    "eslint", rf"{_CODE}(?P<marker>/\*{_S}*(?-i:globals?|eslint-env|exported)(?=[{JS_SPACE}*])"
              r"(?:[^*]|\*(?!/))*(?:\*/|$))",
    Reach.FILE, _declares, rf"/\*{_S}*(?:global|eslint-env|exported)",
    frozenset({JAVASCRIPT, TYPESCRIPT}), in_comments=True),)
