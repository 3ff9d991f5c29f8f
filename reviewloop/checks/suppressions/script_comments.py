"""The comments of a JavaScript/TypeScript file and of a shell script, as ESLint and
shellcheck find them: where ESLint reads its `eslint-disable…` and `/* global */` directives,
and shellcheck its `# shellcheck disable=`.

Both tools take a directive from a comment only: `const s = "// eslint-disable-line";` and
`echo "# shellcheck disable=SC2086"` hold the text in a string. The review searched whole
lines: a change adding such a string was told it adds a suppression, and a base string of
that kind was honoured as one. Each view keeps every line's comment text at its own column
and blanks the rest (`comments.comment_view` does the same for Python).

The scanners are lexical, as a tool's own tokenizer would be at the points that matter: JS
(`js_lexer`: strings, template literals, regular expressions, JSX, line and block comments);
shell quotes (`'…'`, `"…"`, `$'…'`,
backquotes, where a line that is a comment is one), a `#` only where a word starts,
here-document bodies. A misreading can only
move text out of a comment: the marker it held is then neither honoured nor reported, and
what it would hide is reported.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

SPANNED = "\u2028"  # where a `/* */` comment's line broke, in the view's one line of it


def js_comment_view(lines: Sequence[str]) -> list[str]:
    """Each of `lines` (a JS/TS file's) with all but its comments blanked; a `/* */` comment
    spanning lines is whole on its first, its line breaks `SPANNED` (ESLint reads a
    directive's whole text, from where the comment starts), its other lines blank."""
    # the lexer (its tables and patterns, ~2.5 ms) loaded by the first JS/TS file: every
    # review imports this module for `SPANNED`, most read no script
    from reviewloop.checks.suppressions.js_lexer import BREAKS, js_comments

    text = "\n".join(lines)
    keep = [False] * len(text)
    spanning = []
    for start, end in js_comments(text):
        if text.startswith("/*", start) and "\n" in text[start:end]:
            spanning.append((start, text[start:end].replace("\n", SPANNED)))
        else:
            keep[start:end] = [True] * (end - start)
            # the break ending a `//` comment inside git's line (U+2028, a lone CR): kept,
            # for the directive patterns to read past that comment (`eslint_directives`)
            if text.startswith(BREAKS, end):
                keep[end] = True
    view = _view(text, keep, len(lines))
    if spanning:
        starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        for start, comment in spanning:
            index = bisect_right(starts, start) - 1
            column = start - starts[index]
            view[index] = view[index][:column].ljust(column) + comment
    return view



_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([\w.][\w.-]*))")
_WORD_START = frozenset(" \t;&|()<>")


def shell_comment_view(lines: Sequence[str]) -> list[str]:
    """Each of `lines` (a shell script's) with all but its comments blanked."""
    view = [""] * len(lines)
    quote = ""  # the quote open at the end of the last line read
    pending: list[tuple[str, bool]] = []  # here-documents opened on the last line
    index = 0
    while index < len(lines):
        if pending and not quote:  # the bodies of its here-documents: no comments
            index = _past_heredocs(lines, index, pending)
            pending = []
            continue
        line = lines[index]
        quote, comment, pending = _shell_line(line, quote)
        if comment is not None:
            view[index] = " " * comment + line[comment:]
        index += 1
    return view


def _shell_line(line: str, quote: str) -> tuple[str, int | None, list[tuple[str, bool]]]:
    """(the quote still open at the line's end, the column its comment starts at, the
    here-documents it opens: (word, `<<-`)) of one line read with `quote` open."""
    heredocs: list[tuple[str, bool]] = []
    at = 0
    while at < len(line):
        char = line[at]
        if quote == "`" and char == "#" and not line[:at].strip() and "`" not in line[at:]:
            return quote, at, heredocs  # a backquote holds a script: a line's comment in it
        if quote:
            if quote != "'" and char == "\\":
                at += 2
                continue
            if char == quote[-1]:
                quote = ""
        elif char == "\\":
            at += 2
            continue
        elif char == "<" and (heredoc := _HEREDOC.match(line, at)) and \
                not line.startswith("<<<", at):
            heredocs.append((next(g for g in heredoc.groups()[1:] if g is not None),
                             heredoc.group(1) == "-"))
            at = heredoc.end()
            continue
        elif char in "'\"`":
            quote = "$'" if char == "'" and at and line[at - 1] == "$" else char
        elif char == "#" and (at == 0 or line[at - 1] in _WORD_START):
            return quote, at, heredocs
        at += 1
    return quote, None, heredocs


def _past_heredocs(lines: Sequence[str], index: int, pending: list[tuple[str, bool]]) -> int:
    """The index of the line after the bodies of `pending` here-documents (each ended by its
    word alone on a line; with `<<-`, after leading tabs)."""
    for word, tabs in pending:
        while index < len(lines):
            line = lines[index].lstrip("\t") if tabs else lines[index]
            index += 1
            if line == word:
                break
    return index


def _view(text: str, keep: list[bool], count: int) -> list[str]:
    blanked = "".join(c if k or c == "\n" else " " for c, k in zip(text, keep, strict=True))
    view = [line.rstrip() if line.strip() else "" for line in blanked.split("\n")]
    return (view + [""] * count)[:count]
