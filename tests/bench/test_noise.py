"""Which removed lines SZZ leaves out: blank lines and comment-only lines as the file's
language writes comments, never a `#` or `*` a language reads as code (a C `#define`, a
dereference, Python's `*rest`, Rust's `#[derive]`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.bench.noise import comment_only

# Per file name: units of lines (a unit stays whole: a block comment, a string spanning
# lines), each line with whether it is a comment and nothing else.
Unit = list[tuple[str, bool]]
_PYTHON: list[Unit] = [
    [("# a note", True)], [("    # an indented note", True)], [("*rest, last = xs", False)],
    [("x = 1  # a trailing note", False)], [("s = '#'", False)],
    [('d = """', False), ("# in a string, not a comment", False), ('"""', False)]]
_C_LIKE: list[Unit] = [[("// a note", True)], [("    // an indented note", True)],
                       [("    *p = 1;", False)], [("x = a * b;", False)]]
LANGUAGES: dict[str, list[Unit]] = {
    "m.py": _PYTHON,
    "tool": _PYTHON,  # no suffix: its shebang (the first line, below) says Python
    "m.c": [*_C_LIKE, [("#define BUF_SIZE 10", False)], [("#include <stdio.h>", False)],
            [("#if DEBUG", False)], [("#pragma once", False)]],
    "m.go": [*_C_LIKE, [("x := *p", False)]],
    "m.rs": [*_C_LIKE, [("#[derive(Debug)]", False)], [("/// a doc comment", True)]],
    "m.js": [[("// a note", True)], [("/* a note */", True)],
             [("/*", True), (" * inside a block comment", True), (" */", True)],
             [("x = a * b; // a trailing note", False)], [("const s = '//';", False)],
             [("const r = /#/;", False)]],
    "m.ts": [[("// a note", True)], [("/** a doc", True), (" * comment */", True)],
             [("let y: number = 2;", False)]],
    "m.sh": [[("# a note", True)], [('echo "# not a comment"', False)],
             [("x=1 # a trailing note", False)], [("*) ;;", False)]],
    "Dockerfile": [[("# a note", True)], [("FROM alpine", False)],
                   [("RUN echo '#'", False)]],
    # no language reviewloop reads comments of: every non-blank line is code
    "notes.txt": [[("# a heading", False)], [("* an item", False)], [("// a path", False)],
                  [("<!-- a note -->", False)]],
}
_FIRST = {"tool": ("#!/usr/bin/env python3", True)}


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[tuple[str, bool]]]:
    name = draw(st.sampled_from(sorted(LANGUAGES)))
    units = draw(st.lists(st.sampled_from(LANGUAGES[name]) | st.just([("", True)]),
                          min_size=1, max_size=12))
    lines = [line for unit in units for line in unit]
    return name, ([_FIRST[name]] if name in _FIRST else []) + lines


@given(files())
def test_comment_lines_are_those_of_the_file_s_language(drawn):
    name, lines = drawn
    text = "".join(f"{line}\n" for line, _ in lines)
    numbers = range(1, len(lines) + 1)
    expected = {n for n, (_, comment) in zip(numbers, lines, strict=True) if comment}
    assert comment_only(name, text, numbers) == expected, text


def test_an_unread_file_leaves_no_line_out():
    assert comment_only("m.py", None, [1, 2]) == set()
