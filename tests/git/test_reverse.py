"""A changed file's base text, rebuilt from its new text and the diff: for any pair of texts
git diffs, the rebuild is the old text exactly."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.diff import hunks, parse_diff
from reviewloop.git.reverse import _read_hunks, base_text, git_lines, old_sides
from tests.support.gitutil import git
from tests.support.repos import init_repo

_LINES = st.lists(st.sampled_from(["a", "b", "c", "resource {", "}", "  x = 1", ""]),
                  max_size=14)


def _diff(tmp: Path, old: str | None, new: str | None) -> str:
    """`git diff` of main.tf from `old` to `new` (None: the file is absent) in a fresh repo."""
    init_repo(tmp, {"README": "r\n", **({} if old is None else {"main.tf": old})})
    path = tmp / "main.tf"
    if new is None:
        path.unlink()
    else:
        path.write_text(new)
    git(tmp, "add", "-A")
    return git(tmp, "diff", "--cached", "HEAD")


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=_LINES, new=_LINES)
def test_the_base_text_is_rebuilt_exactly(tmp_path_factory, old, new):
    tmp = tmp_path_factory.mktemp("rev")
    diff = _diff(tmp, _text(old), _text(new))
    if not diff:
        return
    (changed,) = parse_diff(diff).files

    assert base_text(_text(new), changed) == _text(old)


def test_a_deleted_file_comes_back_and_an_added_one_has_no_base(tmp_path):
    deleted = parse_diff(_diff(tmp_path / "d", "x = 1\ny = 2\n", None)).files[0]
    added = parse_diff(_diff(tmp_path / "a", None, "x = 1\n")).files[0]

    assert base_text(None, deleted) == "x = 1\ny = 2\n"
    assert base_text("x = 1\n", added) is None


def test_a_diff_that_does_not_fit_the_text_gives_none(tmp_path):
    (changed,) = parse_diff(_diff(tmp_path, "a\nb\nc\nd\n", "a\nb\nc\nd\ne\nf\n")).files

    assert base_text("a\n", changed) is None


# lines holding the breaks `str.splitlines` knows and git does not: a lone CR, VT, FF, the
# separators \x1c-\x1e, NEL, U+2028/U+2029 are inside a line to git and to its hunks
_ODD = st.lists(st.sampled_from(["a", "b", "x = 1", "", "a\rb", "\x0b", "c\x0cd", "\x1c\x1d\x1e",
                                 "e\x85f", "g\u2028h", "\u2029", "i\r"]), max_size=14)


def _raw_diff(tmp: Path, old: str, new: str) -> str:
    """`_diff`, its bytes decoded as they are (no newline translation: a lone CR stays)."""
    _diff(tmp, old, new)
    done = subprocess.run(["git", "diff", "--cached", "HEAD"], cwd=tmp, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=_ODD, new=_ODD)
def test_a_break_git_does_not_count_stays_inside_its_line(tmp_path_factory, old, new):
    tmp = tmp_path_factory.mktemp("odd")
    diff = _raw_diff(tmp, _text(old), _text(new))
    if not diff:
        return
    (changed,) = parse_diff(diff).files

    assert base_text(_text(new), changed) == _text(old)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=_ODD, new=_ODD, no_end=st.booleans())
def test_the_one_pass_reading_of_hunks_is_unidiffs(tmp_path_factory, old, new, no_end):
    """The hunks `old_sides` reads in one pass are those unidiff's full parse gives, or it
    leaves the file to unidiff (a CR in the diff): a last line without its newline too."""
    tmp = tmp_path_factory.mktemp("one")
    end = (lambda t: t[:-1]) if no_end else (lambda t: t)
    diff = _raw_diff(tmp, end(_text(old)), end(_text(new)))
    if not diff:
        return
    (changed,) = parse_diff(diff).files
    parsed = hunks(changed)

    assert parsed is not None
    if "\r" not in changed.text:  # read in one pass, not left to unidiff
        assert _read_hunks(git_lines(changed.text)) is not None
    assert old_sides(changed) == [(h.target_start, h.target_length,
                                   [x.value for x in h if x.is_context or x.is_removed])
                                  for h in parsed]
