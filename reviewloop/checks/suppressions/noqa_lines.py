"""Where ruff looks for the `# noqa` of a finding: on the finding's first line, or, when that
line lies in a string spanning lines or a statement continued with a backslash, on the last
line of that string or statement (a comment cannot sit inside either). ruff maps each such
range of lines to its end (`extract_noqa_line_for`); lines joined by brackets alone are not
mapped: a `# noqa` after a call's closing parenthesis covers only that line.

The review read a noqa on the finding's lines only, so `x = f\"\"\"` … `{VALUE}` …
`\"\"\"  # noqa: F821` left F821 open where plain ruff waives it (fuzz round 7, D4).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Sequence
from functools import cache, lru_cache

# tokens after which a new line starts a new logical line, or none follows: a line break
# after any other token is a backslash's (brackets give NL tokens)
_BREAKS = frozenset((tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                     tokenize.DEDENT, tokenize.ENCODING))
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12: f-strings in parts
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def noqa_lines(lines: Sequence[str]) -> dict[int, int]:
    """For each line (1-based) of a Python file's `lines` inside a multi-line string or a
    backslash-continued statement, the line its `# noqa` goes on; other lines are their own.
    A file this Python cannot parse: none (each line its own, never a waiver made up)."""
    text = "".join(f"{line}\n" for line in lines)
    if not parses_text(text):  # a file this Python cannot parse (3.12's f-strings on 3.11) is
        return {}  # tokenized wrongly: its strings' spans would be made up, and would waive
    spans: list[tuple[int, int]] = []
    opened: list[int] = []  # rows where Python 3.12's f-strings start
    previous: tokenize.TokenInfo | None = None
    readline = io.StringIO(text).readline
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                spans.append((token.start[0], token.end[0]))
            elif token.type == _FSTRING_START:
                opened.append(token.start[0])
            elif token.type == _FSTRING_END and opened:
                spans.append((opened.pop(), token.end[0]))
            if previous is not None and previous.type not in _BREAKS \
                    and token.type != tokenize.ENDMARKER \
                    and token.start[0] > previous.end[0]:
                spans.append((previous.end[0], token.start[0]))  # a backslash joined them
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass
    mapped: dict[int, int] = {}
    for start, end in _merged(spans):
        mapped.update(dict.fromkeys(range(start, end), end))
    return mapped


def parses(lines: Sequence[str]) -> bool:
    """Whether this Python parses the Python file whose text is `lines`: where it does not
    (Python 3.12's f-strings on 3.11: `f"{"# noqa"}"`), its tokenizer may read a string's
    text as a comment, and what it says of the file's comments is not what ruff reads."""
    return parses_text("".join(f"{line}\n" for line in lines))


@lru_cache(maxsize=8)
def parses_text(text: str) -> bool:
    """`parses` of a file's text, its lines each ended by a newline; remembered for the last
    few files (`comments.comment_view` asks it of the same text), and silent: a parse warns
    as a compile would (an invalid escape, `is` with a literal), not on the user's terminal
    (a filter set once for its file name: `catch_warnings` is not thread-safe)."""
    _quiet()
    try:
        compile(text, _PARSED_AS, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


_PARSED_AS = "<reviewloop: a reviewed file>"  # the file name its parse warns under


@cache
def _quiet() -> None:
    warnings.filterwarnings("ignore", module=re.escape(_PARSED_AS))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans joined where they share a line."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
