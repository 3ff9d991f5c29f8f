"""Which lines a fix removed say nothing about a bug: blank lines, and lines that hold a
comment and nothing else *in the file's language* (`git.languages`), its comments found as
its tools find them (`checks.suppressions.comments`, `js_lexer`).

A language-blind prefix test took C's `#define BUF_SIZE 10` and a dereference `*p = 1;`
for comments, and a fix changing only such a line for one that "only adds lines": its case
was lost. In a language reviewloop reads no comments of, only `//` lines count as comments
in the languages that write them so (C, Go, Rust, Java, …); any other line is code. Taking a
comment for code makes one noisy label; taking code for a comment loses a case.
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewloop.checks.suppressions.comments import reader
from reviewloop.checks.suppressions.js_lexer import js_comments
from reviewloop.git.languages import BINARY_PROBE, JAVASCRIPT, TYPESCRIPT, language
from reviewloop.git.names import name_suffix, posix_name

# languages whose line comment is `//` and whose `#` and `*` start code (a preprocessor
# line, a dereference, an attribute): only a line starting `//` is a comment there
_SLASHES = frozenset({
    ".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".m", ".mm",
    ".go", ".rs", ".java", ".kt", ".kts", ".scala", ".swift", ".cs", ".dart", ".groovy",
    ".gradle", ".zig", ".proto", ".php", ".sol", ".v", ".sv", ".glsl", ".hlsl"})


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
        return blank | _inside_comments(text, lines, wanted)
    if (view_of := reader(kind)) is not None:
        view = view_of(lines)
        return blank | {n for n in wanted if (said := view[n - 1].strip())
                        and said == lines[n - 1].strip()}
    if name_suffix(posix_name(path)).lower() in _SLASHES:
        return blank | {n for n in wanted if lines[n - 1].lstrip().startswith("//")}
    return blank


def _inside_comments(text: str, lines: Sequence[str], wanted: Sequence[int]) -> set[int]:
    """The lines of `wanted` whose every visible character is in a comment (a `/* */` one
    may span lines: its middle lines are comments too)."""
    mask = bytearray(len(text))
    for start, end in js_comments(text):
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
