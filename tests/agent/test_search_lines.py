"""The agents' reading tools number a file's lines as git does (the diff the model is shown,
the lines its findings are placed on): fs_read, grep and the code outline. A lone CR, a
form feed, NEL or U+2028 above (generated) is inside one of git's lines; read with
universal newlines or split by `str.splitlines`, every line below was shown one further
down, and a finding the model placed by it landed on the wrong line."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.agent.tools import Workspace, code, fs_read, grep
from tests.support.odd_breaks import broken_lines, git_line

TARGET = "def flagged_call(user_input):"
ONCE = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _workspace(tmp_path_factory: pytest.TempPathFactory, name: str, text: str) -> Workspace:
    root = tmp_path_factory.mktemp("ws")
    (root / name).write_bytes(text.encode())
    return Workspace(root)


def _python(above: str, crlf: bool) -> str:
    text = f"{above}import os\n\n\nclass Holder:\n    {TARGET}\n        return os.sep\n"
    return text.replace("\n", "\r\n") if crlf else text


@ONCE
@given(above=broken_lines('"""', '"""'), crlf=st.booleans())
def test_fs_read_and_grep_number_the_line_as_git(tmp_path_factory: pytest.TempPathFactory,
                                                 above: str, crlf: bool) -> None:
    text = _python(above, crlf)
    line = git_line(text, TARGET)
    ws = _workspace(tmp_path_factory, "a.py", text)

    shown = fs_read(ws, "a.py", start_line=line, end_line=line)
    found = grep(ws, re.escape("flagged_call("))

    assert shown == f"{line:>6}\t    {TARGET}", (above, shown)
    assert found == f"a.py:{line}: {TARGET}", (above, found)


@ONCE
@given(above=broken_lines('"""', '"""'), crlf=st.booleans())
def test_a_python_outline_names_git_lines(tmp_path_factory: pytest.TempPathFactory,
                                          above: str, crlf: bool) -> None:
    """Python ends a line at a lone CR too: the outline's numbers are moved onto git's."""
    text = _python(above, crlf)
    start, end = git_line(text, TARGET), git_line(text, "return os.sep")
    ws = _workspace(tmp_path_factory, "a.py", text)

    outline = code(ws, "a.py").splitlines()

    assert outline == [f"{start - 1}: class Holder",
                       f"{start}-{end}:   def flagged_call(user_input)"], (above, outline)


@ONCE
@given(above=broken_lines("//"))
def test_a_regex_outline_names_git_lines(tmp_path_factory: pytest.TempPathFactory,
                                         above: str) -> None:
    text = f"{above}const a = 1;\nexport function flagged(input) {{\n  return input;\n}}\n"
    ws = _workspace(tmp_path_factory, "a.js", text)

    outline = code(ws, "a.js")

    assert outline == f"{git_line(text, 'export function')}: export function flagged(input) {{"
