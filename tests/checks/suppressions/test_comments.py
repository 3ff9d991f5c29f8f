"""`comment_view`: each line's comment alone, as Python's tokenizer finds it."""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.comments import comment_view


def test_a_string_holding_a_hash_is_no_comment() -> None:
    lines = ['x = " # nosec"  # noqa', "y = '''", "# nosec", "'''", "z = 1", "#  only"]
    assert comment_view(lines) == [" " * lines[0].index("# noqa") + "# noqa", "", "", "", "",
                                   "#  only"]


def test_text_the_tokenizer_cannot_finish_is_read_line_by_line() -> None:
    lines = ["x = (  # open", "y = 'a # b'  # real", 's = """', "# in a string, read as one"]
    view = comment_view(lines)
    assert view[0].strip() == "# open"
    assert view[1].strip() == "# real"


def test_a_bad_dedent_keeps_the_comments_before_it() -> None:
    lines = ["if x:", "        a = 1  # kept", "    b = ' # no '  # yes"]
    view = comment_view(lines)
    assert view[1].strip() == "# kept" and view[2].strip() == "# yes"


@settings(max_examples=50, deadline=None, derandomize=True)
@given(text=st.text(alphabet="ab #'\"\\\n=()", max_size=40))
def test_every_line_keeps_its_place(text: str) -> None:
    lines = text.split("\n")
    view = comment_view(lines)
    assert len(view) == len(lines)
    for line, comment in zip(lines, view, strict=True):  # at its column, to the line's end
        column = len(comment) - len(comment.lstrip(" "))
        assert comment == "" or line[column:] == comment[column:], (line, comment)


def _tokenized(lines: list[str]) -> list[str]:
    """Each line's comment as Python's tokenizer gives it (the view's meaning, for a file
    it tokenizes to the end)."""
    view = [""] * len(lines)
    text = "".join(f"{line}\n" for line in lines)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            view[token.start[0] - 1] = " " * token.start[1] + token.string
    return view


# Pieces of Python whose strings and comments hold one another's characters: a quote in a
# comment, a `#` in a string, triple quotes spanning lines, escapes, prefixes, f-strings.
_PIECES = ["x = 1", "# nosec", "  # noqa: E501", "'#'", '"# not a comment"', "r'\\\\'",
           "'\\''", '"\\""', "f'{a!r} # no'", "b'#'", '"""', "'''", "# it's", '# "quoted"',
           "(", ")", "y", "\\", " ", "#", "'", '"', "pass", "if a:", "    b = 2  # type: ignore"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=6).map("".join), max_size=12))
def test_a_file_python_parses_has_the_tokenizers_comments(lines: list[str]) -> None:
    text = "".join(f"{line}\n" for line in lines)
    with warnings.catch_warnings():  # an invalid escape among the pieces
        warnings.simplefilter("ignore")
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            assume(False)
    assert comment_view(lines) == _tokenized(lines)


def test_a_real_module_has_the_tokenizers_comments() -> None:
    lines = Path(tokenize.__file__).read_text(encoding="utf-8").split("\n")
    assert comment_view(lines) == _tokenized(lines)
