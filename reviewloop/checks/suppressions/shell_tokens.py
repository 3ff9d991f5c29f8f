"""A shell script's words and operators, as far as `shell_scopes` needs them to tell
where a command ends: quotes (`'…'`, `"…"`, `$'…'`, backquotes), `$( )`, `${ }`, `(( ))`
and `a=( )` over several lines, continued lines, comments, redirections (`>&2`, `&>`), and
here-documents, whose bodies are skipped. What it cannot read to the end raises
`Unreadable`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPERATORS = ("&&", "||", ";;&", ";;", ";&", "|&", ";", "&", "|", "(", ")")
_BREAK = frozenset(" \t;&|()")
_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|()<>]+))")


# the scanner cannot tell where a command ends: never a user's error (the caller keeps the
# next line alone), so a builtin, not one of reviewloop's exceptions with an exit code
Unreadable = ValueError


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "op" (an operator, or "\n" ending a line)
    text: str
    first: int  # 0-based lines it spans
    last: int


def tokens(lines: tuple[str, ...]) -> list[Token]:
    """The script's words and operators; each line's end a "\n" operator, which spans the
    bodies of the here-documents the line opened."""
    found: list[Token] = []
    index = 0
    while index < len(lines):
        heredocs: list[tuple[str, bool]] = []
        index = _line_tokens(lines, index, found, heredocs)
        end = index
        for word, tabs in heredocs:
            while end + 1 < len(lines) and \
                    (lines[end + 1].lstrip("\t") if tabs else lines[end + 1]) != word:
                end += 1
            end += 1
            if end >= len(lines):
                raise Unreadable(f"here-document {word!r} is not closed")
        found.append(Token("op", "\n", index, end))
        index = end + 1
    return found


def _line_tokens(lines: tuple[str, ...], index: int, tokens: list[Token],
                 heredocs: list[tuple[str, bool]]) -> int:
    """The tokens from line `index` on to an unquoted line end; the index of that line."""
    line, at = lines[index], 0
    while True:
        if at >= len(line):
            return index
        char = line[at]
        if char in " \t":
            at += 1
        elif char == "#":
            return index  # a comment, to the line's end
        elif char == "\\" and at + 1 >= len(line):  # a continued line
            index, line, at = _next_line(lines, index)
        elif (operator := next((o for o in _OPERATORS if line.startswith(o, at)), None)) \
                and not line.startswith(("((", "&>"), at):
            tokens.append(Token("op", operator, index, index))
            at += len(operator)
        else:
            first = index
            word, index, line, at = _word(lines, index, at, heredocs)
            tokens.append(Token("word", word, first, index))


def _next_line(lines: tuple[str, ...], index: int) -> tuple[int, str, int]:
    if index + 1 >= len(lines):
        raise Unreadable("the script ends in a quote or continuation")
    return index + 1, lines[index + 1], 0


def _word(lines: tuple[str, ...], index: int, at: int, heredocs: list[tuple[str, bool]]
          ) -> tuple[str, int, str, int]:
    """One word from column `at` of line `index`: (its text, the line and column it ends
    at). Quotes, `$( )`, `${ }`, `(( ))` and `a=( )` may run over lines."""
    line, text, depth = lines[index], list[str](), 0
    while True:
        if at >= len(line):
            if not depth:
                return "".join(text), index, line, at
            index, line, at = _next_line(lines, index)
            text.append("\n")
            continue
        char = line[at]
        if char == "\\":
            if at + 1 >= len(line):
                index, line, at = _next_line(lines, index)
                continue
            text.append(line[at:at + 2])
            at += 2
        elif char in "'\"`":
            end, index, line, at = _quoted(lines, index, at)
            text.append(end)
        elif char in "<>&" and line[at + 1:at + 2] in ("&", "|", ">") and \
                line[at:at + 2] != "&&":
            text.append(line[at:at + 2])  # `>&2`, `<&3`, `&>`, `>|`, `>>`
            at += 2
        elif not depth and char in _BREAK and not (char == "(" and (
                not text or text[-1][-1:] in "$=<>@?*+!")):
            return "".join(text), index, line, at
        elif char == "<" and not depth and (doc := _HEREDOC.match(line, at)) and \
                not line.startswith("<<<", at):
            heredocs.append((next(g for g in doc.groups()[1:] if g is not None),
                             doc.group(1) == "-"))
            text.append(doc.group(0))
            at = doc.end()
        else:
            depth += (char in "({") - (char in ")}") if char in "(){}" and (
                depth or char == "(" or (char == "{" and text[-1:] == ["$"])) else 0
            if depth < 0:
                raise Unreadable("an unbalanced parenthesis")
            text.append(char)
            at += 1


def _quoted(lines: tuple[str, ...], index: int, at: int) -> tuple[str, int, str, int]:
    """The quoted string from column `at` (its quote), up to its closing quote."""
    line = lines[index]
    quote = line[at]
    raw = quote == "'" and not (at and line[at - 1] == "$")
    text, at = [quote], at + 1
    while True:
        if at >= len(line):
            index, line, at = _next_line(lines, index)
            text.append("\n")
            continue
        char = line[at]
        if char == "\\" and not raw:
            text.append(line[at:at + 2])
            at += 2
            continue
        text.append(char)
        at += 1
        if char == quote:
            return "".join(text), index, line, at
