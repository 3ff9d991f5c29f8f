"""A JavaScript config's exported object read statically: its literals, never its code run.

An `.eslintrc.js` (`module.exports = { noInlineConfig: true }`) or a flat config
(`export default [{ linterOptions: { noInlineConfig: true } }]`) is code; the review does
not run the project's code to read a setting, so the object is read as written: object and
array literals, strings, numbers, `true`, `false`, `null`. Anything else — an identifier, a
call, a spread (`...base`), a computed key, a method — is `UNKNOWN` in its place: a lookup
that meets one says the value cannot be told (`value_of`), and the caller names that.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final


class _Code:
    """A value the text alone does not give (code stands there)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Code()
SPREAD = "..."  # key of an object holding a spread or a computed key: any key may be set
_EXPORT = re.compile(r"(?:\bmodule\s*\.\s*exports|\bexport\s+default)\s*(?:=\s*)?")
_KEY = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORDS = {"true": True, "false": False, "null": None}
_OPEN, _CLOSE = "([{", ")]}"


def exported(text: str) -> Any:
    """The value `text` exports (`module.exports =`, `export default`), as a literal with
    `UNKNOWN` where code stands; `UNKNOWN` when it exports nothing this reads (no export
    found, `exports.x = …`)."""
    from reviewloop.checks.suppressions.js_lexer import js_comments

    blanked = list(text)
    for start, end in js_comments(text):
        blanked[start:end] = [c if c == "\n" else " " for c in text[start:end]]
    code = "".join(blanked)
    found = list(_EXPORT.finditer(code))  # the last assignment is the one node keeps
    if not found:
        return UNKNOWN
    try:
        value, _ = _Reader(code).value(found[-1].end())
    except (IndexError, RecursionError):
        return UNKNOWN
    return value


def value_of(data: Any, *keys: str) -> Any:
    """`data[k1][k2]…`: None when a key is absent, `UNKNOWN` when a step meets code."""
    for key in keys:
        if data is UNKNOWN:
            return UNKNOWN
        if not isinstance(data, dict):
            return None
        if key in data:
            data = data[key]
        elif SPREAD in data:
            return UNKNOWN
        else:
            return None
    return data


class _Reader:
    def __init__(self, code: str) -> None:
        self.code = code

    def space(self, at: int) -> int:
        while at < len(self.code) and self.code[at].isspace():
            at += 1
        return at

    def value(self, at: int) -> tuple[Any, int]:
        """The value starting at `at` (spaces first) and where it ends."""
        at = self.space(at)
        char = self.code[at] if at < len(self.code) else ""
        if char == "{":
            return self.object(at + 1)
        if char == "[":
            return self.array(at + 1)
        if char in "'\"" or (char == "`" and "${" not in self.code[at:self.skip(at)]):
            end = self.string_end(at)
            return self.string(self.code[at:end]), self.after(end)
        if (number := _NUMBER.match(self.code, at)) and self.ends(number.end()):
            return float(number.group()), number.end()
        word = _KEY.match(self.code, at)
        if word and word.group() in _WORDS and self.ends(word.end()):
            return _WORDS[word.group()], word.end()
        return UNKNOWN, self.skip(at)

    def object(self, at: int) -> tuple[Any, int]:
        out: dict[str, Any] = {}
        while True:
            at = self.space(at)
            if self.code[at] == "}":
                return out, at + 1
            if self.code.startswith("...", at) or self.code[at] == "[":
                out[SPREAD] = UNKNOWN
                at = self.skip(at + (3 if self.code[at] == "." else 0))
                key = None
            else:
                key, at = self.key(at)
            at = self.space(at)
            if key is not None and self.code[at] == ":":
                out[key], at = self.value(at + 1)
            elif key is not None:  # shorthand `{ a }` or a method `a() {…}`
                out[key] = UNKNOWN
                at = self.skip(at)
            at = self.space(at)
            if self.code[at] == ",":
                at += 1
            elif self.code[at] != "}":
                out[SPREAD] = UNKNOWN
                at = self.skip(at)
                at += self.code[at] == ","

    def key(self, at: int) -> tuple[str | None, int]:
        char = self.code[at]
        if char in "'\"":
            end = self.string_end(at)
            return self.string(self.code[at:end]), end
        found = _KEY.match(self.code, at) or _NUMBER.match(self.code, at)
        if found is None:
            return None, at
        return found.group(), found.end()

    def array(self, at: int) -> tuple[Any, int]:
        out: list[Any] = []
        while True:
            at = self.space(at)
            if self.code[at] == "]":
                return out, at + 1
            if self.code.startswith("...", at):
                out.append(UNKNOWN)
                at = self.skip(at + 3)
            else:
                item, at = self.value(at)
                out.append(item)
            at = self.space(at)
            at += self.code[at] == ","

    def ends(self, at: int) -> bool:
        """Whether the value ending at `at` is whole (`true` in `true || x` is not)."""
        rest = self.space(at)
        return rest >= len(self.code) or self.code[rest] in ",}];)"

    def after(self, end: int) -> int:
        return end if self.ends(end) else self.skip(end)

    def skip(self, at: int) -> int:
        """The end of the expression at `at`: the `,` or the closing bracket at its depth
        (strings and templates stepped over), or a `;` ending the statement."""
        depth = 0
        while at < len(self.code):
            char = self.code[at]
            if char in "'\"`":
                at = self.string_end(at)
                continue
            if char in _OPEN:
                depth += 1
            elif char in _CLOSE:
                if depth == 0:
                    return at
                depth -= 1
            elif depth == 0 and char in ",;":
                return at
            at += 1
        return at

    def string_end(self, at: int) -> int:
        """Where the string or template opening at `at` ends (past its closing quote)."""
        quote, at = self.code[at], at + 1
        while at < len(self.code) and self.code[at] != quote:
            at += 2 if self.code[at] == "\\" else 1
        return at + 1

    @staticmethod
    def string(literal: str) -> str:
        """A string literal's value (JSON's escapes; a single-quoted one as double)."""
        inner = literal[1:-1]
        if literal[0] != '"':
            inner = inner.replace("\\'", "'").replace('"', '\\"')
        try:
            return str(json.loads(f'"{inner}"'))
        except ValueError:
            return inner
