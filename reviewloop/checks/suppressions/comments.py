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
import tokenize
from collections.abc import Callable, Sequence

from reviewloop.checks.analyzers.dockerfile_lines import comment_view as dockerfile_view
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
    view = [""] * len(lines)
    readline = io.StringIO("".join(f"{line}\n" for line in lines)).readline
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
