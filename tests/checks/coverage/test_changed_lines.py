"""The change's new functions are found on git's lines, as the diff's added lines count them:
the source is read as its bytes, not as universal-newline text, where a lone CR became a
line of its own and every function below it moved one line down — off the added lines (a
new function missed) or onto them (an old one named). Generated: odd breaks in comments above,
for the JS finder (tree-sitter) and a language reviewloop does not measure (Go)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.coverage.check import changed_functions
from reviewloop.git.diff import parse_diff
from tests.support.analyzers import Repo
from tests.support.odd_breaks import broken_lines, git_line

OLD = {"src/a.js": "export function kept(x) {\n  return x;\n}\n",
       "a.go": "package a\n\nfunc Kept(x int) int {\n\treturn x\n}\n"}
NEW = {"src/a.js": "\nexport function added(y) {\n  return y;\n}\n",
       "a.go": "\nfunc Added(y int) int {\n\treturn y\n}\n"}
FIRST = {"src/a.js": "export function added", "a.go": "func Added"}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(sorted(OLD)), above=broken_lines("//"), crlf=st.booleans())
def test_a_new_function_below_odd_breaks_is_found_on_its_git_lines(
        tmp_path_factory: pytest.TempPathFactory, path: str, above: str, crlf: bool) -> None:
    before = above + OLD[path]
    after = before + NEW[path]
    if crlf:
        before, after = (t.replace("\n", "\r\n") for t in (before, after))
    repo = Repo(tmp_path_factory.mktemp("r"), {path: before})
    repo.change({path: after})
    changes = parse_diff(repo.exact_diff())

    found = [span for spans in changed_functions(repo.root, changes).values() for span in spans]

    start = git_line(after, FIRST[path])
    assert [(f.name, f.start, f.end) for f in found] == \
        [(FIRST[path].rsplit(" ", 1)[-1], start, start + 2)], (above, found)
