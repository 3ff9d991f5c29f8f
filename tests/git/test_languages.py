"""What a changed file is: its language by name or shebang, and binary only by format."""

from __future__ import annotations

import ast
import bz2
import zlib

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.languages import (
    BINARY_PROBE,
    PYTHON,
    SIGNATURES,
    TEXTLIKE,
    is_binary,
    language,
    looks_binary,
)


def _texts(min_size: int) -> st.SearchStrategy[bytes]:
    return st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF,
                                          exclude_characters="\x7f") | st.sampled_from("\n\t"),
                   min_size=min_size, max_size=3000).map(lambda t: t.encode())


_TEXT, _LONG_TEXT = _texts(20), _texts(200)


@given(text=_TEXT, nuls=st.lists(st.integers(min_value=0), min_size=1, max_size=3))
def test_a_few_nul_bytes_do_not_make_text_binary(text: bytes, nuls: list[int]) -> None:
    """One NUL, or a few, in a config file or a note: still text (git would call it binary,
    and a secret in it would go unread)."""
    data = bytearray(text)
    for at in nuls:
        data.insert(at % (len(data) + 1), 0)
    if 10 * len(nuls) < len(data[:BINARY_PROBE]):  # under a tenth of the probe
        assert not looks_binary(bytes(data))
        assert not is_binary("deploy/app.conf", bytes(data))


def test_binary_formats_are_binary() -> None:
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64)
    gzip = b"\x1f\x8b\x08\0" + zlib.compress(b"x" * 500)
    mp4 = b"\0\0\0\x18ftypmp42" + bytes(32)
    noise = bytes(range(256)) * 8
    for data in (png, gzip, mp4, noise):
        assert looks_binary(data) and is_binary("blob.dat", data)


def test_text_of_a_known_language_is_never_binary() -> None:
    data = b"#!/usr/bin/env node\n" + bytes(BINARY_PROBE)
    assert looks_binary(data)
    assert language("bin/tool", data) == "javascript" and not is_binary("bin/tool", data)
    assert not is_binary("app.py", b"\x89PNG\r\n\x1a\n\0")


@given(signature=st.sampled_from(TEXTLIKE), text=_LONG_TEXT,
       nuls=st.lists(st.integers(min_value=0), min_size=1, max_size=3))
def test_a_signature_a_line_can_start_with_does_not_make_text_binary(
        signature: bytes, text: bytes, nuls: list[int]) -> None:
    """`BM = 1` or `MZ=1` opens a config file as a bitmap's or an executable's signature
    opens the format; with one NUL further on, the file was called binary and its secrets
    went unread. Any such signature before text, and a few NULs: still text."""
    data = bytearray(signature + b" = 1\n" + text)
    for at in nuls:
        data.insert(len(signature) + at % (len(data) - len(signature) + 1), 0)
    assert not looks_binary(bytes(data))
    assert not is_binary("deploy/creds.ini", bytes(data))


@given(signature=st.sampled_from([*SIGNATURES, b"\0\0\0\x18ftyp"]), text=_LONG_TEXT,
       nul=st.integers(min_value=0), newline=st.booleans())
def test_a_signature_and_a_nul_before_text_do_not_make_it_binary(
        signature: bytes, text: bytes, nul: int, newline: bool) -> None:
    """Any format's signature and one NUL, written by the change itself before text (a
    `.env` starting with a PNG's, an ELF's, SQLite's header, a token on a later line): still
    text, whose secrets are read (fz1 D3: it was binary, unread, and the review complete)."""
    data = bytearray(signature + b"\n" * newline + text)
    data.insert(len(signature) + nul % (len(data) - len(signature) + 1), 0)
    assert not looks_binary(bytes(data))
    assert not is_binary(".env", bytes(data)) and not is_binary("config/secrets.yaml",
                                                                  bytes(data))


@given(signature=st.sampled_from(SIGNATURES), payload=st.binary(min_size=256, max_size=4000))
def test_a_signature_before_bytes_no_text_holds_is_binary(signature: bytes, payload: bytes
                                                          ) -> None:
    """A format's signature, then data that is no text (random bytes, compressed data)."""
    for data in (signature + bytes(4) + zlib.compress(payload, 9) + b"\0",
                 signature + bytes(4) + bz2.compress(payload) + b"\0"):
        if len(data) >= 300:  # compressed data is random bytes once past its header
            assert looks_binary(data)


# Python run by its name with no shebang: mod_wsgi's `*.wsgi`, twistd's `*.tac`, ArcGIS's
# `*.pyt`, SCons's `SConstruct`/`SConscript`, waf's `wscript`
_BY_NAME = st.sampled_from(["SConstruct", "Sconstruct", "sconstruct", "SConscript", "wscript"])
_BY_SUFFIX = st.tuples(st.text("abcdefghij_-0123456789", min_size=1, max_size=8),
                       st.sampled_from([".wsgi", ".tac", ".pyt"])).map("".join)
_FOLDER = st.sampled_from(["", "src/", "site/build/", ".hidden/"])


@given(folder=_FOLDER, name=st.one_of(_BY_NAME, _BY_SUFFIX),
       head=st.sampled_from([b"", b"import os\n", b"# a comment\n"]))
def test_python_run_by_its_name_is_python(folder: str, name: str, head: bytes) -> None:
    assert language(f"{folder}{name}", head) == PYTHON


@given(folder=_FOLDER, name=_BY_NAME.map(lambda n: f"{n}.txt")
       | _BY_SUFFIX.map(lambda n: f"{n}.md"))
def test_a_name_of_another_kind_is_not_taken_for_python(folder: str, name: str) -> None:
    """`SConstruct.txt`, `app.wsgi.md`: the last suffix names another kind of file."""
    assert language(f"{folder}{name}", b"") != PYTHON


_SPEC_HEADS = st.sampled_from([b"", b"# -*- mode: python ; coding: utf-8 -*-\n",
                               b"import os\n", b"block_cipher = None\n\n"])
_TARGETS = st.lists(st.sampled_from([b"a = Analysis(['app.py'], pathex=[])\n",
                                     b"pyz = PYZ(a.pure)\n", b"exe = EXE(pyz, a.scripts)\n",
                                     b"coll = COLLECT(exe, a.binaries)\n",
                                     b"app = BUNDLE(coll, name='App.app')\n"]),
                    min_size=1, max_size=4)
_RPM_LINES = st.sampled_from([b"Name: app\n", b"Version: 1.0\n", b"%description\n",
                              b"%install\n", b"Summary: a tool\n", b"License: MIT\n"])


@given(folder=_FOLDER, stem=st.sampled_from(["app", "main", "My Tool", "build"]),
       suffix=st.sampled_from([".spec", ".SPEC", ".Spec"]), head=_SPEC_HEADS, targets=_TARGETS,
       rpm=st.lists(_RPM_LINES, max_size=2))
def test_a_pyinstaller_spec_is_python_and_an_rpm_spec_is_not(
        folder: str, stem: str, suffix: str, head: bytes, targets: list[bytes],
        rpm: list[bytes]) -> None:
    """fz1 D6: `pyinstaller app.spec` executes the spec as Python (`subprocess.call(…,
    shell=True)` in one ran unread); an RPM spec, sharing the suffix, is no Python."""
    path = f"{folder}{stem}{suffix}"
    data = head + b"".join(targets)
    assert language(path, data) == PYTHON
    if rpm:
        assert language(path, b"".join(rpm) + data) is None
    assert language(f"{folder}{stem}.txt", data) is None  # the suffix says another kind
    assert language(path, b"#!/bin/sh\n" + data) == "shell"  # a shebang names its runtime


_TAGS = st.sampled_from(["Name", "Version", "Release", "Summary", "License", "BuildRequires",
                         "VERSION", "name"])
_VALUES = st.sampled_from([
    '1.0', 'MIT', 'a tool', 'app', 'python3-devel >= 3.8', 'foo <= 2', 'x == y', 'a != b',
    '"a=b"', 'a = b c', 'GPL-2.0+ AND MIT',  # none assigns: what RPM writes
    'str = "1"', 'int = 3', 'dict[str, int] = {}', 'str | None = None', '"x" = 1',
    "list[str] = ['a']",  # annotated assignments, Python
])
_COLON = st.sampled_from([":", " :", "\t:"])
_AFTER = st.sampled_from([" ", "  ", "\t"])


@given(tag=_TAGS, colon=_COLON, after=_AFTER, value=_VALUES, targets=_TARGETS,
       stem=st.sampled_from(["app", "App Tool"]))
def test_an_annotated_assignment_is_no_rpm_tag(tag: str, colon: str, after: str, value: str,
                                               targets: list[bytes], stem: str) -> None:
    """r23 review: `Version: str = "1"` in a PyInstaller spec was read as RPM's `Version:`
    tag, so the spec (and its `shell=True`) was nobody's. Python's parser is the oracle: the
    line is Python's when it is an annotated assignment, an RPM tag otherwise."""
    line = f"{tag}{colon}{after}{value}"
    try:
        tree: ast.Module | None = ast.parse(line)
    except SyntaxError:
        tree = None
    python = tree is not None and isinstance(tree.body[0], ast.AnnAssign) \
        and tree.body[0].value is not None
    data = f"{line}\n".encode() + b"".join(targets)
    assert language(f"{stem}.spec", data) == (PYTHON if python else None), line
    rpm = b"%description\nA tool.\n"  # a section settles it whatever the tag line is
    assert language(f"{stem}.spec", data + rpm) is None
