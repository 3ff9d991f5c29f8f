"""The comments of a file in a C-like language (C, C++, Objective-C, Java, C#, Go, Rust,
Kotlin, Swift, Scala, Dart, PHP, CSS, …), found by a small lexer: `//` line comments,
`/* */` block comments (nested where the language nests them: Rust, Swift, Kotlin, Scala,
Dart), and the strings and character literals that may hold `/*` or `//` without starting
a comment (Go's backtick strings, Rust's `r#"…"#`, C++'s `R"x(…)x"`, C#'s `@"…"`, the
triple-quoted text blocks). A `'` that opens no character literal is code (a Rust lifetime).

Only what bench's SZZ asks (`bench.noise`): which lines hold nothing but comment, so the
middle lines of a block comment are comments, not code to trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Syntax:
    """How one language writes comments and the literals that may hold their markers."""

    line: bool = True  # `//` starts a comment to the line's end (not in CSS)
    nests: bool = False  # `/* /* */ */` is one comment
    quotes: str = '"'  # quotes of strings with backslash escapes
    chars: bool = True  # `'x'`, `'\n'`: a character literal (else `'` quotes a string)
    multiline: bool = False  # a quoted string may span lines (Rust)
    raw: tuple[str, ...] = ()  # the raw literals of `_RAW` it writes


# a raw literal's opening, and how its end is found from the match
_RAW = {
    "backtick": re.compile(r"`"),
    "triple": re.compile(r'"""'),
    "rust": re.compile(r'(?<![\w])b?r(#*)"'),
    "cpp": re.compile(r'(?<![\w])(?:u8|u|U|L)?R"([^()\\\s"]{0,16})\('),
    "csharp": re.compile(r'(?<![\w])\$?@\$?"'),
}
_CHAR = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{1,8}|u\{?[0-9a-fA-F]{1,8}\}?|[0-7]{1,3}|.)"
                   r"|[^'\\\n])'")

_C = Syntax(raw=("cpp",))
_JVM = Syntax(raw=("triple",))
_NESTED = Syntax(nests=True, raw=("triple",))
SYNTAX: dict[str, Syntax] = {
    **dict.fromkeys((".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx",
                     ".h++", ".m", ".mm", ".proto", ".glsl", ".hlsl", ".v", ".sv", ".zig",
                     ".sol"), _C),
    **dict.fromkeys((".java", ".groovy", ".gradle"), _JVM),
    **dict.fromkeys((".kt", ".kts", ".scala", ".swift", ".dart"), _NESTED),
    ".go": Syntax(raw=("backtick",)),
    ".rs": Syntax(nests=True, multiline=True, raw=("rust",)),
    ".cs": Syntax(raw=("csharp", "triple")),
    ".php": Syntax(quotes="\"'", chars=False),
    ".css": Syntax(line=False, quotes="\"'", chars=False),
    **dict.fromkeys((".scss", ".less"), Syntax(quotes="\"'", chars=False)),
}


def c_comments(text: str, syntax: Syntax) -> list[tuple[int, int]]:
    """The (start, end) offsets of every comment in `text`, in order."""
    spans: list[tuple[int, int]] = []
    at, size = 0, len(text)
    while at < size:
        char = text[at]
        if char == "/" and syntax.line and text.startswith("//", at):
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


def _block_end(text: str, at: int, nests: bool) -> int:
    """Where the block comment opened at `at` ends (the text's end when it never does)."""
    depth, at = 1, at + 2
    while depth:
        close = text.find("*/", at)
        if close < 0:
            return len(text)
        inner = text.find("/*", at, close) if nests else -1
        depth, at = (depth + 1, inner + 2) if inner >= 0 else (depth - 1, close + 2)
    return at


def _string_end(text: str, at: int, multiline: bool) -> int:
    """Past the string quoted at `at`: its closing quote; an unclosed one ends at its line's
    end (a backslash before the line break continues it)."""
    quote, at = text[at], at + 1
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == quote:
            return at + 1
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
        if kind == "csharp":  # `""` is a quote inside it
            end = opened.end()
            while (end := text.find('"', end)) >= 0 and text.startswith('""', end):
                end += 2
            return len(text) if end < 0 else end + 1
        closing = _CLOSING[kind](opened)
        end = text.find(closing, opened.end())
        return len(text) if end < 0 else end + len(closing)
    return None


_CLOSING = {"backtick": lambda _: "`", "triple": lambda _: '"""',
            "rust": lambda opened: '"' + opened.group(1),
            "cpp": lambda opened: f'){opened.group(1)}"'}
