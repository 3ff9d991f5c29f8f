"""`comment_view`: each line's comment alone, as Python's tokenizer finds it."""

from __future__ import annotations

from hypothesis import given, settings
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
