"""The comments of a JavaScript/TypeScript text, as ESLint's parser finds them
(`js_comments`): one pass of a lexer that knows, at the points that matter, where code is —
strings, template literals (their `${…}` code included), regular expression literals (a `/`
where an operand starts, as the tokens before it tell: `js_operands`), JSX (its text holds
no comment, the code of its `{…}` does), HTML-like comments in a script, and the hashbang
line (ESLint's "Shebang", in which it reads no directive). A misreading can only move text
out of a comment: a JSX element that does not end well-formed is read as code (a TypeScript
`<T>`), as before; where the tokens cannot tell an operand from an operator, only the
comments both readings find count.
"""

from __future__ import annotations

import re

from reviewloop.checks.analyzers.eslint_directives import JS_SPACE
from reviewloop.checks.suppressions.js_operands import Operands

_WORD = re.compile(  # an identifier, a keyword, a number (`.5`), a private name (`#x`)
    rf"#?(?:\.\d|[\w$]|\\u\{{?[0-9A-Fa-f]*\}}?|[^\x00-\x7f{JS_SPACE}])+")
# the punctuators `Operands` tells apart (any other is read a character at a time)
_PUNCTUATOR = re.compile(r"\.\.\.|\?\.(?!\d)|=>|\+\+|--|[!=]==?|\?\?=?|[-+*/%&|^<>=!~?:;,.@]")
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
_SPACE_RUN = re.compile(f"[{JS_SPACE}]+")
# the characters the class takes among those it could (~0.7 ms: one `match` each was ~2.4 ms
# of every review's start-up)
_SPACES = frozenset("".join(_SPACE_RUN.findall("".join(map(chr, range(0x3001))) + "\ufeff")))
_BREAK = re.compile("[\n\r\u2028\u2029]")


def js_comments(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of each comment of `text` (a JS/TS file's), in order: a
    `//` one to its line's end (any of ECMAScript's line terminators), a `/* */` one past
    its `*/` (or to the end, unclosed). JSX text holds none (`_Lexer.jsx`). A text with an
    HTML-like `<!--` or `-->` is read twice, as a script (where the rest of such a line is a
    comment, Annex B, that ESLint reads no directive in) and as a module (where it is code):
    a comment is one where both readings agree, whichever the file is."""
    spans = _agreed(text, script=False)
    if "<!--" in text or "-->" in text:
        script = set(_agreed(text, script=True))
        spans = [span for span in spans if span in script]
    return spans


def _agreed(text: str, *, script: bool) -> list[tuple[int, int]]:
    """The comments of one reading of `text`; where the tokens before a `/` or a `<` cannot
    tell whether an operand starts there (`js_operands`), those both ways of reading it find:
    a comment one way may be a regular expression's text the other."""
    lexer = _Lexer(text, script=script)
    spans = lexer.run()
    if lexer.unsure:
        other = set(_Lexer(text, script=script, operands=False).run())
        spans = [span for span in spans if span in other]
    return spans


LINE_TERMINATORS = "\n\r\u2028\u2029"  # ECMAScript's: where a `//` comment ends
BREAKS = ("\r", "\u2028", "\u2029")  # those git does not end a line at
_JSX_NAME = re.compile(r"[A-Za-z_$][\w$.:-]*")
# JavaScript's white space and line terminators (its `\s`), between a JSX tag's parts
_JS_SPACE = re.compile(f"[{JS_SPACE}]*")


class _Lexer:
    """One pass over a JS/TS text, recording its comments (`spans`); code, template
    literals and JSX each read by a method that returns where it stops."""

    def __init__(self, text: str, *, script: bool = False, operands: bool = True):
        self.text = text
        self.script = script  # HTML-like comments are comments
        self.operands = operands  # where the tokens cannot tell: an operand starts
        self.unsure = False  # that was met
        self.spans: list[tuple[int, int]] = []
        self.elements: dict[int, int | None] = {}  # a JSX element's start → its end
        self.attempts: list[int] = []  # for each JSX element being read: the spans before

    def run(self) -> list[tuple[int, int]]:
        # a hashbang line is no comment ESLint reads a directive in (its "Shebang"): the
        # first line of the text, after a byte order mark (which ESLint strips)
        start = 1 if self.text.startswith("\ufeff") else 0
        if self.text.startswith("#!", start):
            start = _line_end(self.text, start)
        try:
            self.code(start)
        except RecursionError:  # nesting too deep to follow: the comments found before it
            if self.attempts:  # (none read in an element that may be no element)
                del self.spans[self.attempts[0]:]
        return self.spans

    def comment(self, start: int, end: int) -> None:
        self.spans.append((start, end))

    def code(self, at: int, closing: bool = False) -> tuple[int, bool]:
        """From `at` in code: past the `}` that closes it (`closing`: a `${` or a JSX
        `{`), True; or the text's end, False."""
        text, size = self.text, len(self.text)
        state = Operands(block=not closing)
        while at < size:
            char = text[at]
            if char == " " or char == "\t":
                at += 1
            elif char in _WORD_START and (word := _WORD.match(text, at)):
                at = word.end()
                state.word(word.group())
            elif (skipped := self._skip(at, state)) > at:
                at = skipped
            elif char in "'\"":
                at = _string_end(text, at, char)
                state.operand()
            elif char == "`":
                at = self.template(at + 1)
                state.operand()
            elif self.script and _html_comment(text, at):
                at = _line_end(text, at)
            elif char == "/" and self.operand_starts(state):
                at = _regex_end(text, at + 1)
                state.operand()
            elif char == "<" and self.operand_starts(state) and \
                    (element := self.jsx(at)) is not None:
                at = element
                state.operand()
            elif char in "([{":
                state.open(char)
                at += 1
            elif char in ")]}":
                if char == "}" and closing and not state.depth:
                    return at + 1, True
                state.close(char)
                at += 1
            elif word := _WORD.match(text, at):  # (one not started by an ASCII letter)
                at = word.end()
                state.word(word.group())
            elif token := _PUNCTUATOR.match(text, at):
                at = token.end()
                state.punctuator(token.group(), text[at:at + 1])
            else:
                at += 1
                state.unknown()
        return at, False

    def _skip(self, at: int, state: Operands) -> int:
        """Past the white space or the comment at `at` (noting a line break in it), or
        `at`: none there."""
        text = self.text
        if text.startswith("//", at):
            end = _line_end(text, at)
            self.comment(at, end)
            return end
        if text.startswith("/*", at):
            end = text.find("*/", at + 2)
            end = len(text) if end < 0 else end + 2
            self.comment(at, end)
        elif text[at] in _SPACES and (space := _SPACE_RUN.match(text, at)):
            end = space.end()
        else:
            return at
        state.newline |= _has_break(text, at, end)
        return end

    def operand_starts(self, state: Operands) -> bool:
        """Whether an operand starts here: where the tokens before cannot tell, as this
        reading takes it (`self.operands`), noted (`self.unsure`)."""
        if state.allowed is None:
            self.unsure = True
            return self.operands
        return state.allowed

    def template(self, at: int) -> int:
        """From inside a template literal at `at`: past its closing backquote (its `${…}`
        read as code), or the text's end."""
        text = self.text
        while at < len(text):
            char = text[at]
            if char == "\\":
                at += 2
            elif char == "`":
                return at + 1
            elif char == "$" and text.startswith("{", at + 1):
                at = self.code(at + 2, closing=True)[0]
            else:
                at += 1
        return at

    def jsx(self, at: int) -> int | None:
        """Past the JSX element (or fragment) whose `<` is at `at`, its text read as no
        comment and the code of its `{…}` as code; None when none ends well-formed there
        (a TypeScript type argument or assertion, a comparison): code, as before."""
        if at not in self.elements:
            self.attempts.append(len(self.spans))
            end = self._element(at)
            kept = self.attempts.pop()
            if end is None:
                del self.spans[kept:]
            self.elements[at] = end
        return self.elements[at]

    def _element(self, at: int) -> int | None:
        text = self.text
        name = _JSX_NAME.match(text, at + 1)
        if name is None and not text.startswith(">", at + 1):
            return None
        tag = name.group() if name else ""
        at = at + 2 if name is None else self._attributes(name.end())
        if at < 0:
            return None
        if tag and text.startswith("/>", at - 2):
            return at  # self-closing
        while True:  # its children: text, `{…}`, elements, up to its closing tag
            nearest = [found for found in (text.find("<", at), text.find("{", at))
                       if found >= 0]
            if not nearest:
                return None
            at = min(nearest)
            if text[at] == "{":
                at, closed = self.code(at + 1, closing=True)
                if not closed:
                    return None
            elif text.startswith("</", at):
                space = _spaced(text, at + 2)
                closer = _JSX_NAME.match(text, space)
                after = _spaced(text, closer.end() if closer else space)
                if (closer.group() if closer else "") != tag or \
                        not text.startswith(">", after):
                    return None
                return after + 1
            else:
                end = self.jsx(at)
                if end is None:
                    return None
                at = end

    def _attributes(self, at: int) -> int:
        """Past the `>` (or `/>`) that ends a JSX opening tag whose attributes start at
        `at`; -1: not a tag."""
        text, size = self.text, len(self.text)
        while True:
            at = self._space(at)
            if text.startswith("/>", at) or text.startswith(">", at):
                return at + (2 if text[at] == "/" else 1)
            if text.startswith("{", at):  # `{...spread}`
                at, closed = self.code(at + 1, closing=True)
                if not closed:
                    return -1
                continue
            name = _JSX_NAME.match(text, at)
            if name is None:
                return -1
            at = self._space(name.end())
            if not text.startswith("=", at):
                continue
            at = self._space(at + 1)
            char = text[at] if at < size else ""
            if char in ("'", '"'):  # no escapes in a JSX attribute's string
                end = text.find(char, at + 1)
                if end < 0:
                    return -1
                at = end + 1
            elif char == "{":
                at, closed = self.code(at + 1, closing=True)
                if not closed:
                    return -1
            elif char == "<":
                element = self.jsx(at)
                if element is None:
                    return -1
                at = element
            else:
                return -1

    def _space(self, at: int) -> int:
        """Past white space and comments (in a JSX tag, both as in code)."""
        text = self.text
        while True:
            at = _spaced(text, at)
            if text.startswith("//", at):
                end = _line_end(text, at)
            elif text.startswith("/*", at):
                end = text.find("*/", at + 2)
                end = len(text) if end < 0 else end + 2
            else:
                return at
            self.comment(at, end)
            at = end


def _spaced(text: str, at: int) -> int:
    """Past the white space at `at`."""
    space = _JS_SPACE.match(text, at)
    return space.end() if space else at


def _html_comment(text: str, at: int) -> bool:
    """Whether an HTML-like comment starts at `at` in a script: `<!--`, or `-->` first on
    its line."""
    return text.startswith("<!--", at) or (text.startswith("-->", at)
                                           and _line_starts(text, at))


def _has_break(text: str, start: int, end: int) -> bool:
    """Whether a line terminator is in `text[start:end]`."""
    return _BREAK.search(text, start, end) is not None


def _line_end(text: str, at: int) -> int:
    """The offset of the first line terminator at or after `at` (or the text's end)."""
    ends = [found for found in (text.find(end, at) for end in LINE_TERMINATORS) if found >= 0]
    return min(ends, default=len(text))


_LEAD = re.compile(r"(?:[ \t]|/\*(?:[^*]|\*(?!/))*\*/)*")  # before a line's `-->`


def _line_starts(text: str, at: int) -> bool:
    """Whether a `-->` at `at` starts an HTML-like comment (Annex B): first on its line
    (white space and `/* */` comments before it), or in the text."""
    start = max(text.rfind(end, 0, at) for end in LINE_TERMINATORS) + 1
    return _LEAD.fullmatch(text, start, at) is not None


def _string_end(text: str, at: int, quote: str) -> int:
    """Past the string opened at `at`: its closing quote, or the line's end (unclosed)."""
    at += 1
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == quote:
            return at + 1
        if char in "\n\r":
            return at
        at += 1
    return at


def _regex_end(text: str, at: int) -> int:
    """Past the regular expression literal whose body starts at `at` (its flags are code)."""
    in_class = False
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == "\n":
            return at
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return at + 1
        at += 1
    return at
