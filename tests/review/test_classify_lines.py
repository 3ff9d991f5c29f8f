"""A `.gitattributes` line the change adds that hides files from review is flagged on the line
git reads it on (and asked of the trust on that line): odd breaks above it (generated: a
lone CR, a form feed, NEL, U+2028, …) are inside git's lines, where universal-newline
reading and `str.splitlines` made each a line of its own and put the flag lines below."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.repository import open_repository
from tests.support.classify import classified_pr
from tests.support.odd_breaks import broken_lines, git_line
from tests.support.repos import init_repo

CODE = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(above=broken_lines("#"), crlf=st.booleans())
def test_a_hiding_attribute_line_is_flagged_on_its_git_line(
        tmp_path_factory: pytest.TempPathFactory, above: str, crlf: bool) -> None:
    text = f"{above}*.sh text eol=lf\n*.py -diff\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    repo = open_repository(init_repo(tmp_path_factory.mktemp("r") / "r"))

    found = classified_pr(repo, {"README.md": "x\n"},
                          {"pkg/.gitattributes": text, "pkg/hidden.py": CODE})

    assert [(f.file, f.start_line) for f in found.flags] == \
        [("pkg/.gitattributes", git_line(text, "*.py -diff"))], (above, found.flags)
