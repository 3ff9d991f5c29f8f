"""The comments of a file in a C-like language whose literals this lexer models exactly (C,
C++, Objective-C, Java, Go, Rust, Solidity, Protocol Buffers, GLSL/HLSL, CSS, SCSS, Less),
found by a small lexer: `//` line comments, `/* */` block comments (nested in Rust), and the
literals that may hold `/*` or `//` without starting a comment (strings, character
literals, Go's backtick strings, Rust's `r#"…"#`, C++'s `R"x(…)x"`, Java's text blocks with
their escapes, CSS's unquoted `url(…)` and escapes). A `'` that opens no character literal
is code (a Rust lifetime, a C++ digit separator).

Only what bench's SZZ asks (`bench.noise`): which lines hold nothing but comment, so the
middle lines of a block comment are comments, not code to trace. Taking code for a comment
loses a case, so where a literal is not modelled the lexer is not used: the languages of
`SLASH_LINES` (Kotlin's and Scala's string templates, Swift's raw strings and regex
literals, Groovy's and Dart's single-quoted strings, PHP's `#` comments and heredocs, C#'s
interpolated strings, Zig's line strings, …) count only a line that starts with `//`.
A block comment that never closes is a misread (the file would not compile): it covers
its own line only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Syntax:
    """How one language writes comments and the literals that may hold their markers."""

    line: bool = True  # `//` starts a comment to the line's end (not in CSS)
    nests: bool = False  # `/* /* */ */` is one comment (Rust)
    quotes: str = '"'  # quotes of strings with backslash escapes
    chars: bool = True  # `'x'`, `'\n'`: a character literal (else `'` quotes a string)
    multiline: bool = False  # a quoted string may span lines (Rust)
    raw: tuple[str, ...] = ()  # the raw literals of `_RAW` it writes
    escapes: bool = False  # a backslash in code escapes the next character (CSS: `.w-1\/*`)


# a raw literal's opening, and how its end is found from the match
_RAW = {
    "backtick": re.compile(r"`"),
    "triple": re.compile(r'"""'),  # a Java text block: backslash escapes hold
    "rust": re.compile(r'(?<![\w])[bc]?r(#*)"'),
    "cpp": re.compile(r'(?<![\w])(?:u8|u|U|L)?R"([^()\\\s"]{0,16})\('),
    "url": re.compile(r"(?<![\w-])[uU][rR][lL]\(\s*(?=[^\s'\")])"),  # CSS: unquoted
}
_CHAR = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{1,8}|[uU]\{?[0-9a-fA-F]{1,8}\}?|[0-7]{1,3}|.)"
                   r"|[^'\\\n])'")

_C = Syntax(raw=("cpp",))
_QUOTES = Syntax(quotes="\"'", chars=False)  # `'` and `"` both quote strings
_CSS = Syntax(quotes="\"'", chars=False, raw=("url",), escapes=True)
SYNTAX: dict[str, Syntax] = {
    **dict.fromkeys((".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx",
                     ".h++", ".m", ".mm", ".glsl", ".hlsl"), _C),
    ".java": Syntax(raw=("triple",)),
    ".go": Syntax(raw=("backtick",)),
    ".rs": Syntax(nests=True, multiline=True, raw=("rust",)),
    **dict.fromkeys((".sol", ".proto"), _QUOTES),
    ".css": replace(_CSS, line=False),
    **dict.fromkeys((".scss", ".less"), _CSS),
}
# `//` languages with literals the lexer does not model: a line starting `//` is a comment
SLASH_LINES = frozenset({".kt", ".kts", ".scala", ".swift", ".dart", ".groovy", ".gradle",
                         ".php", ".cs", ".zig", ".v", ".sv"})


def c_comments(text: str, syntax: Syntax) -> list[tuple[int, int]]:
    """The (start, end) offsets of every comment in `text`, in order."""
    spans: list[tuple[int, int]] = []
    at, size = 0, len(text)
    while at < size:
        char = text[at]
        if char == "\\" and syntax.escapes:
            end = at + 2
        elif char == "/" and syntax.line and text.startswith("//", at):
            end = text.find("\n", at)
            end = size if end < 0 else end
            spans.append((at, end))
        elif char == "/" and text.startswith("/*", at):
            end = _block_end(text, at, syntax.nests)
            spans.append((at, end))
        elif (raw := _raw_end(text, at, syntax)) is not None:
            end = raw
        elif char in syntax.quotes or (char == "'" and not syntax.chars):
            end = _string_end(text, at, syntax.multiline)
        elif char == "'" and (literal := _CHAR.match(text, at)):
            end = literal.end()
        else:
            end = at + 1
        at = end
    return spans


def _block_end(text: str, start: int, nests: bool) -> int:
    """Where the block comment opened at `start` ends (its line's end when it never does)."""
    depth, at = 1, start + 2
    while depth:
        close = text.find("*/", at)
        if close < 0:  # a misread (it would not compile): its line only
            end = text.find("\n", start)
            return len(text) if end < 0 else end
        inner = text.find("/*", at, close) if nests else -1
        depth, at = (depth + 1, inner + 2) if inner >= 0 else (depth - 1, close + 2)
    return at


def _string_end(text: str, at: int, multiline: bool, quote: str = "") -> int:
    """Past the string quoted at `at` (by `quote`, else the character there): its closing
    quote; an unclosed one ends at its line's end (a backslash before the line break
    continues it), or at the text's end when it may span lines."""
    quote = quote or text[at]
    at += len(quote)
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if text.startswith(quote, at):
            return at + len(quote)
        if char == "\n" and not multiline:
            return at
        at += 1
    return len(text)


def _raw_end(text: str, at: int, syntax: Syntax) -> int | None:
    """Past the raw literal opened at `at`, or None when none of the language's opens there
    (one never closed runs to the text's end)."""
    for kind in syntax.raw:
        opened = _RAW[kind].match(text, at)
        if opened is None:
            continue
        if kind == "triple":  # `\"""` is text
            return _string_end(text, opened.end() - 3, True, '"""')
        closing = _CLOSING[kind](opened)
        end = text.find(closing, opened.end())
        return len(text) if end < 0 else end + len(closing)
    return None


_CLOSING = {"backtick": lambda _: "`", "url": lambda _: ")",
            "rust": lambda opened: '"' + opened.group(1),
            "cpp": lambda opened: f'){opened.group(1)}"'}
