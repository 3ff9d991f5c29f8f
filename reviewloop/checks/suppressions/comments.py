"""The comments of a file, as its tools find them (`reader`): a Python file's as Python's
tokenizer finds them, where bandit reads its `# nosec` and ruff its `# noqa`; a JS/TS file's
a shell script's by `script_comments`; a Dockerfile's comment lines outside its instructions
by `dockerfile_lines`, where hadolint reads its pragmas.

Those tools take a marker from a comment token only; `subprocess.call(cmd + " # nosec",
shell=True)` holds the text in a string, and bandit still reports B602 there. The review
searched the whole line and waived the finding the plain tool reports. Now each line's
comment is searched alone (`policy.markers.MarkerSyntax.in_comments`).

Text the tokenizer cannot finish (an unclosed bracket or string, a bad dedent): the comments
it found up to there count, and each later line is read by itself — a `#` outside the
quotes that open and close on that line starts its comment — since neither tool can parse
the file, that reading only matters for what it says of a finding on those lines, and it
takes a string's text for a comment only where a string spans lines.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from reviewloop.checks.analyzers.dockerfile_lines import comment_view as dockerfile_view
from reviewloop.checks.suppressions.noqa_lines import parses_text
from reviewloop.checks.suppressions.script_comments import js_comment_view, shell_comment_view
from reviewloop.git.languages import DOCKERFILE, JAVASCRIPT, PYTHON, SHELL, TYPESCRIPT

_QUOTES = ("'", '"')
View = Callable[[Sequence[str]], list[str]]


def reader(language: str | None) -> View | None:
    """How the comments of a file of `language` are found (each line's comment alone, the
    rest blanked); None for a language whose markers are read in whole lines."""
    return _READERS.get(language or "")


def comment_view(lines: Sequence[str]) -> list[str]:
    """Each of `lines` (a Python file's) with all but its comment blanked: the comment at its
    own column, "" for a line without one."""
    text = "".join(f"{line}\n" for line in lines)
    lexed = _lexed(text, len(lines))
    if lexed is not None:
        return lexed
    view = [""] * len(lines)
    readline = io.StringIO(text).readline
    done = 0  # the lines the tokenizer has read
    try:
        for token in tokenize.generate_tokens(readline):
            done = max(done, token.end[0])
            if token.type == tokenize.COMMENT:
                row, column = token.start
                if row <= len(lines):
                    view[row - 1] = " " * column + token.string
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        for index in range(done, len(lines)):
            view[index] = _plain_comment(lines[index])
    return view


# Python 3.11's strings and comments as its tokenizer reads them (a string prefix and an
# f-string change neither where a string ends nor where a comment starts): a quote outside
# them opens a string, a `#` a comment to the line's end. In a file Python parses, the
# tokenizer's comment tokens are exactly the `#` matches. Not from 3.12 on, whose f-strings
# may nest their own quotes (`f"{"#"}"`), and whose tokenizer is in C.
_LEXED = sys.version_info < (3, 12)
_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|#[^\r\n]*", re.DOTALL)


def _lexed(text: str, count: int) -> list[str] | None:
    """`comment_view` of `text` (`count` lines, each ended by a newline) from one regex
    pass, for a file Python's own parser (in C) reads: the tokenizer, in Python, took ~10 µs
    a token, ~0.1 s of an offline review of flask's sources. None for any other file (the
    tokenizer then says where it stops) or one holding a character the two read apart (a
    carriage return, a form feed, NUL)."""
    if not _LEXED or any(c in text for c in "\r\f\0") or not parses_text(text):
        return None
    view = [""] * count
    starts = list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))
    for found in _STRING_OR_COMMENT.finditer(text):
        if found.group()[0] == "#":
            row = bisect_right(starts, found.start()) - 1
            view[row] = " " * (found.start() - starts[row]) + found.group()
    return view


def _plain_comment(line: str) -> str:
    """The comment of a line read by itself: from the first `#` outside a quoted string."""
    quote = ""
    escaped = False
    for column, char in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in _QUOTES:
            quote = char
        elif char == "#":
            return " " * column + line[column:]
    return ""


_READERS: dict[str, View] = {PYTHON: comment_view, JAVASCRIPT: js_comment_view,
                             TYPESCRIPT: js_comment_view, SHELL: shell_comment_view,
                             DOCKERFILE: dockerfile_view}
