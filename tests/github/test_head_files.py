"""`app.pull_request.head_files`: a file's lines at the PR's head, read from git objects,
for every name git can hold — one that is not UTF-8, one holding a backslash that reads
like an escape — as `git show` gives them (a follow-up reads every open finding's file)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.app.pull_request import head_files
from reviewloop.git.names import from_bytes
from reviewloop.git.repository import open_repository
from tests.support.repos import feature_branch

# pieces of a file name: plain text, a byte that is not UTF-8, a backslash before what
# reads as an escape of one, a backslash before other text, non-ASCII UTF-8
PIECES = st.sampled_from([b"a", b"app", b"\xff", b"\xe9", b"\\xff", b"\\x9a", b"\\\\",
                          b"\\n", "é".encode(), b" ", b"-"])


@settings(derandomize=True, max_examples=25, deadline=None)
@given(stem=st.lists(PIECES, min_size=1, max_size=5), nested=st.booleans())
def test_a_file_s_lines_at_the_head_whatever_its_name(stem: list[bytes], nested: bool,
                                                       tmp_path_factory) -> None:
    name = (b"pkg/" if nested else b"") + b"".join(stem) + b".py"
    text = b"import subprocess\nsubprocess.call(c, shell=True)\n"
    root = feature_branch(tmp_path_factory.mktemp("repo") / "r", {name: text})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True,
                          capture_output=True, text=True).stdout.strip()
    plain = subprocess.run(["git", "show", f"{head}:{name.decode('utf-8', 'surrogateescape')}"],
                           cwd=root, check=True, capture_output=True).stdout
    out = tmp_path_factory.mktemp("head")
    read = head_files(open_repository(root), head, Path(out))
    assert read(from_bytes(name)) == plain.decode().splitlines()
    assert read(from_bytes(b"missing" + name)) is None


BREAKS = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@settings(derandomize=True, max_examples=25, deadline=None)
@given(ends=st.lists(st.sampled_from(BREAKS), min_size=1, max_size=6))
def test_a_file_s_lines_are_git_s_whatever_breaks_it_holds(ends: list[str],
                                                           tmp_path_factory) -> None:
    """A lone CR, a form feed or U+2028 is inside one of git's lines, as it is for the
    finding a follow-up relocates: split by `str.splitlines`, the flagged call below them
    was read lines further down and its posted comment moved off it."""
    text = "".join(f"a{end}b\n" for end in ends) + "subprocess.call(c, shell=True)\n"
    root = feature_branch(tmp_path_factory.mktemp("repo") / "r", {b"a.py": text.encode()})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True,
                          capture_output=True, text=True).stdout.strip()
    read = head_files(open_repository(root), head, Path(tmp_path_factory.mktemp("head")))
    lines = read("a.py")
    assert lines is not None and len(lines) == text.count("\n")
    assert lines[-1] == "subprocess.call(c, shell=True)"
