"""A file stored with Git LFS reads, wherever its object was not fetched (a commit's blob,
a CI checkout without `lfs: true`), as a three-line pointer. Its content — a `.env` with
keys, a script — was never read, yet the secrets scan "analysed" the pointer and the review
said complete (a `.py` pointer was blamed on a syntax error). A pointer is now named as
not analysed, with how to fetch it; text that only resembles one is read as before.
Generated: pointers in git-lfs's format (extension lines, sizes, any name), near misses,
and real reviews of both."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.lfs import MAX_POINTER_BYTES, REASON, is_pointer
from tests.support.repos import feature_branch
from tests.support.review_cli import review

HEX = st.text("0123456789abcdef", min_size=64, max_size=64)
NAMES = st.sampled_from(("prod.env", "tool.py", "app.js", "deploy.sh", "main.tf", "key.pem",
                         "notes.txt", "Dockerfile"))


@st.composite
def pointers(draw: st.DrawFn) -> bytes:
    """A pointer as git-lfs writes it: `version`, extension lines, `oid`, `size`."""
    exts = draw(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(("foo", "bar-1"))),
                         max_size=2, unique_by=lambda e: e[0]))
    lines = [b"version https://git-lfs.github.com/spec/v1",
             *(f"ext-{i}-{name} sha256:{draw(HEX)}".encode() for i, name in sorted(exts)),
             f"oid sha256:{draw(HEX)}".encode(), f"size {draw(st.integers(0, 10**12))}".encode()]
    return b"\n".join(lines) + b"\n"


@st.composite
def near_misses(draw: st.DrawFn) -> bytes:
    """A pointer with one thing wrong: a short oid, no size, text after it, another spec."""
    pointer = draw(pointers())
    spoil = draw(st.sampled_from(("oid", "size", "tail", "version")))
    if spoil == "oid":
        return pointer.replace(b"oid sha256:", b"oid sha256:0", 1)  # 65 hex digits
    if spoil == "size":
        return pointer.split(b"size ")[0]
    if spoil == "tail":
        return pointer + b"import os\nos.system(input())\n"
    return pointer.replace(b"spec/v1", b"spec/v2", 1)


@settings(max_examples=300, deadline=None)
@given(pointer=pointers())
def test_a_pointer_is_known_by_its_format(pointer: bytes) -> None:
    assert is_pointer(pointer, len(pointer)), pointer
    assert not is_pointer(pointer, MAX_POINTER_BYTES)  # git-lfs's size limit


@settings(max_examples=300, deadline=None)
@given(text=near_misses())
def test_text_that_only_resembles_one_is_not(text: bytes) -> None:
    assert not is_pointer(text, len(text)), text


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pointer=pointers(), name=NAMES, miss=near_misses())
def test_a_review_names_a_pointer_and_reads_a_near_miss(tmp_path_factory, pointer: bytes,
                                                         name: str, miss: bytes) -> None:
    root = feature_branch(tmp_path_factory.mktemp("r") / "r",
                          {f"lfs/{name}": pointer, "notes/near.txt": miss})
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert any(REASON in why for why in rows[f"lfs/{name}"]["not_read"]), rows
    assert report["health"]["complete"] is False
    near = rows["notes/near.txt"]  # the resembling file is read as any text is
    assert near["not_read"] == [] and "secrets (review-security)" in near["analysed_by"], near
