"""The bench's SZZ names a file git's content test calls binary, and reviewloop reads no text
in, as "a binary file", and traces none of its lines (docs/bench.md); text reviewloop reads
(a known language's file with a NUL, UTF-16) is traced.

Before: a data file with a NUL byte and few control bytes, which a review diffs again as
text (a config file with one NUL may hold a secret), gave SZZ labels on its "lines".
Generated: data of printable bytes with NULs put in, under names of no known language."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.history import fix_lines
from reviewloop.git.opaque_blobs import BINARY
from reviewloop.git.repository import open_repository
from tests.support.repos import commit, init_repo

_LINE = st.binary(min_size=20, max_size=60).map(
    lambda b: bytes(32 + x % 95 for x in b) + b"\n")


@st.composite
def data(draw: st.DrawFn) -> bytes:
    """Lines of printable bytes, a NUL or two put in the first: git calls it binary, and
    reviewloop's own test (a tenth of the bytes control ones) does not."""
    lines = draw(st.lists(_LINE, min_size=4, max_size=8))
    first = bytearray(lines[0])
    for at in draw(st.lists(st.integers(0, len(first) - 2), min_size=1, max_size=2)):
        first[at] = 0
    return bytes(first) + b"".join(lines[1:])


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=data(), name=st.sampled_from(["data.bin", "blob", "assets/x.dat", "model.pt"]))
def test_opaque_data_is_named_and_not_traced(tmp_path_factory, before: bytes, name: str
                                             ) -> None:
    root: Path = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    lines = before.split(b"\n")
    after = b"\n".join([*lines[:2], b"changed " + lines[2], *lines[3:]])
    text = "é = 1\n".encode("utf-16")  # UTF-16 text: traced
    parent = commit(root, {name: before, "notes.txt": text, "app.py": b"x = 1  # \0\ny = 2\n"})
    child = commit(root, {name: after, "notes.txt": "é = 2\n".encode("utf-16"),
                          "app.py": b"x = 1  # \0\ny = 3\n"})

    changed = fix_lines(open_repository(root), parent, child)

    assert f"{name}: {BINARY}" in changed.untraced
    assert {r.path for r in changed.removed} == {"notes.txt", "app.py"}
