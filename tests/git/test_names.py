"""A name's text form (`reviewloop.git.names`): valid text, one-to-one, and undone exactly
by `on_disk` whatever bytes the name holds."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.diff_headers import utf8_names
from reviewloop.git.names import (
    NAME_MAX,
    PATH_MAX,
    fits,
    folder_of,
    from_bytes,
    joined,
    name_suffix,
    on_disk,
    posix_name,
    posix_parent,
    posix_parts,
    posix_suffix,
    posix_text,
    shown,
    under,
    under_text,
    unfit,
)

# bytes that make escapes, break UTF-8, or are ordinary
_BYTES = st.lists(st.sampled_from([b"\\", b"x", b"f", b"8", b"a", b"\xff", b"\x80", b"\xc3",
                                   b"\xa9", b"/", b".py", b" "]), max_size=10).map(b"".join)


@given(name=_BYTES | st.binary(max_size=16))
def test_the_text_form_is_text_and_on_disk_gives_the_bytes_back(name: bytes) -> None:
    text = from_bytes(name)
    text.encode("utf-8")  # no lone surrogate: JSON, SQLite and a terminal carry it
    assert on_disk(text).encode("utf-8", "surrogateescape") == name


@given(one=_BYTES, other=_BYTES)
def test_two_names_never_share_a_text_form(one: bytes, other: bytes) -> None:
    assert (from_bytes(one) == from_bytes(other)) == (one == other)


def test_a_utf8_name_is_its_own_text_form_and_a_byte_reads_as_people_write_it() -> None:
    assert shown("src/café.py") == "src/café.py"
    assert shown("a\\b.py") == "a\\b.py"  # a backslash that starts no escape stays single
    assert shown("a\\\\b.py") == "a\\\\b.py"  # and so do two: the name's own
    assert shown("a\\\\\\303.py") == "a\\\\\\303.py"  # git's octal escapes mean nothing here
    assert from_bytes(b"mod_\xff.py") == "mod_\\xff.py"
    assert from_bytes(b"mod_\\xff.py") == "mod_\\\\xff.py"  # the look-alike is told apart


# text that is a UTF-8 name: backslashes in runs, before letters, digits and quotes, but never
# before `x` and two hex digits of a byte >= 0x80 (what a byte's escape looks like)
_LOOKALIKE = re.compile(r"\\x[89a-f][0-9a-f]")
_OWN = st.text(alphabet="\\x9f3a\"é\t-", max_size=12).filter(
    lambda n: _LOOKALIKE.search(n) is None)


@given(name=_OWN)
def test_a_utf8_name_with_no_byte_look_alike_is_its_own_text_form(name: str) -> None:
    """Its text form is what SARIF, GitHub and the reader are given: any other names a file
    that does not exist (`a\\\\b.py`, two backslashes, was shown with three)."""
    assert shown(name) == name
    assert on_disk(name) == name


def test_diff_names_come_back_as_utf8_unless_they_are_not() -> None:
    quoted = ('diff --git "a/caf\\303\\251.py" "b/mod_\\377.py"\n'
              'rename from "caf\\303\\251.py"\nrename to "mod_\\377.py"\n'
              '@@ -1 +1 @@\n-"caf\\303\\251"\n+x\n')
    assert utf8_names(quoted) == ('diff --git a/café.py "b/mod_\\377.py"\n'
                                  'rename from café.py\nrename to "mod_\\377.py"\n'
                                  '@@ -1 +1 @@\n-"caf\\303\\251"\n+x\n')  # content untouched
    assert utf8_names('diff --git "a/t\\303\\251\\tb" "a/t\\303\\251\\tb"\n') == \
        'diff --git "a/té\\tb" "a/té\\tb"\n'  # a tab still needs git's quotes


_PATHS = st.lists(st.sampled_from(["a", "b.py", ".", "..", "", "/", "//", "vendor", " ", ".a",
                                   "a.", "a.b.c"]),
                  max_size=6).map("/".join) | st.text(alphabet="ab./", max_size=8)


@given(path=_PATHS)
def test_a_path_s_names_are_pure_posix_path_s(path: str) -> None:
    """The rules by name read a path's parts without building a PurePosixPath for each of
    thousands of files; the answer is PurePosixPath's, whatever slashes and dots it holds."""
    assert posix_parts(path) == PurePosixPath(path).parts
    assert posix_name(path) == PurePosixPath(path).name
    assert posix_suffix(path) == PurePosixPath(path).suffix
    assert posix_text(path) == PurePosixPath(path).as_posix()
    assert posix_parent(path) == str(PurePosixPath(path).parent)
    # a name's suffix read from the name alone (`git.languages.by_name`, of every file)
    assert name_suffix(posix_name(path)) == PurePosixPath(path).suffix


@given(path=_PATHS | _BYTES.map(from_bytes), root=st.sampled_from(["/r", "/r/s", "rel", "/"]))
def test_a_file_under_a_root_as_text_is_the_path_s(path: str, root: str) -> None:
    """An analyzer's argv names each file as a string, not a `Path` built for it: the
    same name, whatever slashes, dots or bytes the path holds."""
    assert under_text(Path(root), path) == str(under(Path(root), path))


@given(path=_PATHS | _BYTES.map(from_bytes),
       root=st.sampled_from(["/r", "/r/s/", "rel", "rel/", "/", "//", "", ".", "./"]))
def test_a_plain_name_put_after_the_root_is_os_path_join_s_answer(path: str, root: str) -> None:
    """A root as text, with or without its trailing slash, empty or the root itself: the
    name put after it is what joining its parts gives."""
    assert under_text(root, path) == os.path.join(root, *posix_parts(on_disk(path)))


@given(path=_PATHS | _BYTES.map(from_bytes),
       base=_PATHS | st.sampled_from(["/r", "/r/s/", "rel", "rel/", "/", "//", "", "./"]))
def test_a_name_joined_to_a_folder_and_its_folder_are_os_path_s(path: str, base: str) -> None:
    """The export, the first look at a file and the suppressions' reads name each changed
    file as `joined(base, path)` and its folder as `folder_of`: os.path's own answers (the
    reads they share are keyed by that string), whatever slashes, dots or bytes either holds."""
    assert joined(base, path) == os.path.join(base, path)
    assert folder_of(path) == os.path.dirname(path)
    assert folder_of(joined(base, path)) == os.path.dirname(os.path.join(base, path))


@given(parts=st.lists(st.integers(1, 260), min_size=1, max_size=20),
       root=st.integers(1, 120), wide=st.sampled_from(("", "é", "日")))
def test_a_path_fits_exactly_when_no_reason_is_given(parts: list[int], root: int,
                                                     wide: str) -> None:
    """Near NAME_MAX and PATH_MAX: a path fits under a folder exactly when every part is at
    most 255 bytes and the whole, with the folder, under 4,096; else the reason gives the
    figure that does not fit."""
    path = "/".join((wide + "x" * n)[:n] if len((wide + "x" * n)[:n].encode()) <= n + 2
                    else "x" * n for n in parts)
    folder = "/" + "r" * (root - 1)
    raw = path.encode()
    widest, whole = max(len(p) for p in raw.split(b"/")), len(folder) + 1 + len(raw)
    why = unfit(folder, path)
    assert fits(folder, path) is (why is None)
    assert (why is None) is (widest <= NAME_MAX and whole < PATH_MAX)
    if widest > NAME_MAX:
        assert why == f"a part of it is {widest:,} bytes, over the 255 a file system holds"
    elif len(raw) >= PATH_MAX:
        assert why is not None and why.startswith(f"it is {len(raw):,} bytes, and a path")
    elif whole >= PATH_MAX:
        assert why is not None and why.startswith(f"it is {len(raw):,} bytes, {whole:,} in")
