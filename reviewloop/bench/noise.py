"""Which lines a fix removed say nothing about a bug: blank lines, and lines that hold a
comment and nothing else *in the file's language* (`git.languages`), its comments found as
its tools find them (`checks.suppressions.comments`, `js_lexer`).

A language-blind prefix test took C's `#define BUF_SIZE 10` and a dereference `*p = 1;`
for comments, and a fix changing only such a line for one that "only adds lines": its case
was lost. The C-like languages whose literals `bench.c_comments` models (C, C++, Go, Rust,
Java, CSS, …) have their comments found by it: a `//` line, and every line of a `/* */`
block its code does not share, are comments; a `/*` in a string is none. The other `//`
languages (Kotlin, Swift, C#, Dart, PHP, …: `c_comments.SLASH_LINES`) count only a line
starting `//`. In a language reviewloop reads no comments of, any other non-blank line is
code. Taking a comment for code makes one noisy label; taking code for a comment loses a case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reviewloop.bench.c_comments import SLASH_LINES, SYNTAX, c_comments
from reviewloop.checks.suppressions.comments import reader
from reviewloop.checks.suppressions.js_lexer import js_comments
from reviewloop.git.languages import BINARY_PROBE, JAVASCRIPT, TYPESCRIPT, language
from reviewloop.git.names import name_suffix, posix_name


def comment_only(path: str, text: str | None, numbers: Sequence[int]) -> set[int]:
    """Of `numbers` (1-based lines of `text`, the file `path`), those blank or holding only a
    comment. `text` None (the file unread): the blank ones cannot be told either, so none."""
    if text is None:
        return set()
    lines = text.split("\n")  # git's lines: "\n" ends them, nothing else
    wanted = [n for n in numbers if 1 <= n <= len(lines)]
    blank = {n for n in wanted if not lines[n - 1].strip()}
    kind = language(path, text[:BINARY_PROBE].encode("utf-8", "surrogateescape"))
    if kind in (JAVASCRIPT, TYPESCRIPT):
        return blank | _inside_comments(js_comments(text), text, lines, wanted)
    if (view_of := reader(kind)) is not None:
        view = view_of(lines)
        return blank | {n for n in wanted if (said := view[n - 1].strip())
                        and said == lines[n - 1].strip()}
    suffix = name_suffix(posix_name(path)).lower()
    if (syntax := SYNTAX.get(suffix)) is not None:
        return blank | _inside_comments(c_comments(text, syntax), text, lines, wanted)
    if suffix in SLASH_LINES:  # literals the lexer does not model: no block is read
        return blank | {n for n in wanted if lines[n - 1].lstrip().startswith("//")}
    return blank


def _inside_comments(comments: Iterable[tuple[int, int]], text: str, lines: Sequence[str],
                     wanted: Sequence[int]) -> set[int]:
    """The lines of `wanted` whose every visible character is in one of `comments` (offsets
    in `text`; a `/* */` one may span lines: its middle lines are comments too)."""
    mask = bytearray(len(text))
    for start, end in comments:
        mask[start:end] = b"\1" * (end - start)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found = set()
    for n in wanted:
        at, line = starts[n - 1], lines[n - 1]
        if line.strip() and all(mask[at + i] or char.isspace() for i, char in enumerate(line)):
            found.add(n)
    return found
