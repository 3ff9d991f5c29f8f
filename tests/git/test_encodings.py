"""Which files are UTF-16 or UTF-32 text (`reviewloop.git.encodings`): every such file with
its byte-order mark, ASCII-heavy ones without; never a UTF-8 file, whose lines decoding
would hide."""

from __future__ import annotations

import codecs
import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviewloop.git.encodings import decoded, text_of, wide_encoding
from reviewloop.git.languages import BINARY_PROBE, is_binary, looks_binary

_MARKED = {"utf-16": "utf-16-le", "utf-32": "utf-32-le",  # Python writes the native order
           "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be",
           "utf-32-le": "utf-32-le", "utf-32-be": "utf-32-be"}
_MARKS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
          "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
# text as people write it: printable characters, white space, some beyond ASCII
_CHARS = st.characters(min_codepoint=32, max_codepoint=0x2FFFF,
                       categories=("L", "M", "N", "P", "S", "Zs")) | st.sampled_from("\n\t\r")
_TEXT = st.text(_CHARS, min_size=1, max_size=600)
_ASCII_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126)
                      | st.sampled_from("\n\t"), min_size=8, max_size=600)


def _marked(text: str, encoding: str) -> bytes:
    return text.encode(encoding) if encoding in ("utf-16", "utf-32") else \
        _MARKS[encoding] + text.encode(encoding)


@given(text=_TEXT, encoding=st.sampled_from(sorted(_MARKED)))
def test_a_byte_order_mark_says_the_encoding(text: str, encoding: str) -> None:
    data = _marked(text, encoding)
    assert wide_encoding(data[:BINARY_PROBE]) == _MARKED[encoding]
    assert decoded(data, _MARKED[encoding]) == text == text_of(data)
    assert not is_binary("notes.dat", data[:BINARY_PROBE])


# at most 3 wide characters in a row: 4 astral ones are 16 bytes without a NUL, which
# `encodings` takes for UTF-8 hidden among wide characters (CI found 'āāāā𐐁𐐀' after ASCII);
# no U+FFFD, which the detector counts as a unit that did not decode (eight ASCII characters
# and one such are too little text to call it text: '00000000\ufffd')
@given(text=_ASCII_TEXT, extra=st.text(_CHARS.filter(lambda c: c != "\ufffd"), max_size=3),
       encoding=st.sampled_from(sorted(_MARKS)))
def test_ascii_heavy_text_is_known_without_a_mark(text: str, extra: str, encoding: str
                                                  ) -> None:
    data = (text + extra).encode(encoding)
    assert wide_encoding(data[:BINARY_PROBE]) == encoding
    assert text_of(data) == text + extra
    assert not looks_binary(data)


def test_a_long_run_without_a_nul_is_no_unmarked_wide_text() -> None:
    """What CI's run of the test above found: past 15 bytes without a NUL, an unmarked file
    is not taken for UTF-16 (UTF-8 could hide there); with its mark it is."""
    text = "00000000" + "āāāā𐐁𐐀"
    assert wide_encoding(text.encode("utf-16-be")) is None
    assert wide_encoding(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == "utf-16-be"


@given(text=_TEXT, nuls=st.lists(st.integers(min_value=0), max_size=40),
       key=st.booleans())
@example(text="\xa0\U00010000" + "00", nuls=[43], key=False)  # a suite run's: nine bytes,
# one NUL, decoded as four printable UTF-16 units, one of them ASCII
def test_utf8_text_is_never_taken_for_another_encoding(text: str, nuls: list[int],
                                                        key: bool) -> None:
    """The safety of it: a UTF-8 file decoded as UTF-16 would show none of its lines (a key
    in it never scanned). With a few NULs put into it, or a line (a key) that holds none,
    however many NULs there are around it, it is read as UTF-8."""
    data = bytearray(text.encode())
    for at in nuls:
        data.insert(at % (len(data) + 1), 0)
    if key:
        data[len(data) // 2:len(data) // 2] = b'KEY = "r8Vq2LxP0sKd9TzW"\n'
    if key or 8 * len(nuls) < len(data):  # an eighth of its bytes NULs: a quarter of UTF-16's
        assert wide_encoding(bytes(data[:BINARY_PROBE])) is None  # units ASCII
    assert text_of(bytes(data)) == bytes(data).decode("utf-8", "replace") or not key


@given(text=_ASCII_TEXT, encoding=st.sampled_from(sorted(_MARKS)))
def test_a_stretch_of_utf8_after_the_start_is_read_as_utf8(text: str, encoding: str) -> None:
    """No mark, and a UTF-8 line (a key) past the first kB: the start said wide text, the
    rest says otherwise, and the file is not decoded as wide text."""
    wide = text.encode(encoding)
    data = wide * (BINARY_PROBE // len(wide) + 1) + b'KEY = "r8Vq2LxP0sKd9TzW"\n'
    assert wide_encoding(data[:BINARY_PROBE]) == encoding
    assert decoded(data, encoding) is None


def test_a_stray_unit_is_replaced_not_refused() -> None:
    data = "key = 1\n".encode("utf-16") + b"\x00\xd8" + "secret = 2\n".encode("utf-16-le")
    assert wide_encoding(data) == "utf-16-le"
    assert decoded(data, "utf-16-le") == "key = 1\n\ufffdsecret = 2\n"


def test_binary_data_is_no_text() -> None:
    noise = os.urandom(BINARY_PROBE)
    for data in (noise, codecs.BOM_UTF16_LE + noise, codecs.BOM_UTF32_BE + noise,
                 bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(64),
                 b"\0\0\1\0" + "icon".encode("utf-32-be") * 40):
        assert wide_encoding(data) is None or looks_binary(data), data[:16]
    assert looks_binary(codecs.BOM_UTF16_LE + bytes(200))  # NULs: no text in any encoding


# as short as a short password's line (`PW=x`): a tail under 16 bytes was decoded as UTF-16
_TAIL_LINE = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=0,
                     max_size=60).map(lambda words: f"PW={words}")


@given(head=_ASCII_TEXT, tail=st.lists(_TAIL_LINE, min_size=1, max_size=5),
       encoding=st.sampled_from(("utf-16-le", "utf-16-be")), crlf=st.booleans(),
       accent=st.booleans())
def test_lines_appended_in_8_bit_to_a_marked_file_are_read_as_8_bit(
        head: str, tail: list[str], encoding: str, crlf: bool, accent: bool) -> None:
    """PowerShell 5.1 writes `>` in UTF-16 with a mark and `Add-Content` in the ANSI code
    page: the appended lines (a token's, with its name) were decoded as UTF-16,
    wide-character noise where a token stood; those under 16 bytes in all still were. They
    are read as written (gitleaks reads the file's bytes and finds the token)."""
    end = "\r\n" if crlf else "\n"
    head = head.rstrip("\n") + "\n"
    appended = end.join(tail) + end + ("café=1" + end if accent else "")
    if not accent and len(appended.removesuffix(end)) % 2:  # `Add-Content -NoNewline`: a
        # last line of an odd length, which no wide text has (an even one with no break
        # may be wide text's last line, as it is read)
        appended = appended.removesuffix(end)
    data = _MARKS[encoding] + head.encode(encoding) + appended.encode("cp1252")
    assert wide_encoding(data[:BINARY_PROBE]) == encoding
    assert decoded(data, encoding) == head + appended


@given(text=_TEXT, encoding=st.sampled_from(sorted(_MARKS)))
def test_marked_text_ending_its_line_is_decoded_whole(text: str, encoding: str) -> None:
    """Wide text has a NUL in every line break: no part of it is taken for 8-bit text."""
    text += "\n"
    assert decoded(_MARKS[encoding] + text.encode(encoding), encoding) == text


# characters whose two UTF-16 bytes are both printable ASCII (`中` is b"-N" in UTF-16-LE)
_ASCII_BYTES_CJK = st.integers(0x4E, 0x7E).flatmap(
    lambda high: st.integers(0x21, 0x7E).map(lambda low: chr(high << 8 | low)))


@settings(derandomize=True)
@given(text=_TEXT, last=st.text(_ASCII_BYTES_CJK, min_size=1, max_size=7),
       encoding=st.sampled_from(("utf-16-le", "utf-16-be")))
def test_a_last_wide_line_without_its_break_stays_wide(text: str, last: str,
                                                       encoding: str) -> None:
    """A short 8-bit tail is taken only as whole lines after a wide line break: a last
    line of CJK whose bytes all look like ASCII, with no break after it, is the wide
    text's own."""
    text = text.rstrip("\n") + "\n" + last
    assert decoded(_MARKS[encoding] + text.encode(encoding), encoding) == text
