"""What a changed file is: its language by name or shebang, and binary only by format."""

from __future__ import annotations

import zlib

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.languages import BINARY_PROBE, is_binary, language, looks_binary

_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF,
                                      exclude_characters="\x7f") | st.sampled_from(
    "\n\t"), min_size=20, max_size=3000).map(lambda t: t.encode())


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
