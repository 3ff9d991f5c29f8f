"""Text in UTF-16 or UTF-32: which of them a file's first bytes say it is in, and its text.

PowerShell's `>` writes UTF-16 with a byte-order mark, some Windows tools write it without
one. Every other byte of its ASCII text is a NUL, so git's content test takes it for
binary, and a tool reading UTF-8 reads garbage: a key in it was never scanned. A file is in
one of these encodings when its first bytes are the encoding's byte-order mark, or, with
none, when they decode in it to text that is mostly ASCII (a UTF-8 file or a binary format
never does: their byte pairs are no ASCII characters, and a UTF-8 file read so would hide
its lines) and hold no run of `_UTF8_RUN` bytes without a NUL (a stretch of UTF-8, a key
in it, hidden among wide characters; such text is Latin-1 but for short stretches) — and
in either case the characters decoded are printable text. The whole file is then decoded
with a bad unit replaced (U+FFFD), never refused: a stray byte must not turn text back
into a binary nobody reads; but for lines of 8-bit text ending a file that has a mark
(PowerShell's `Add-Content` after its `>`), which are read as such.
"""

from __future__ import annotations

import codecs
import functools
import re
import tokenize

# byte-order marks, UTF-32's first: its little-endian mark starts with UTF-16's
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_STARTS = tuple(mark for mark, _ in _MARKS)
_UNMARKED = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")
_PRINTABLE_SHARE = 0.9  # of the characters decoded: printable or white space
_ASCII_SHARE = 0.25  # of them, without a mark: ASCII
_UTF8_RUN = re.compile(rb"[^\0]{16}")  # without a mark: never so many bytes without a NUL
_PROBE = 8000  # bytes of a file's start looked at (`languages.BINARY_PROBE`, git's own)
_ASCII = frozenset(map(chr, range(32, 127))) | frozenset("\t\n\r\f")


def wide_encoding(start: bytes) -> str | None:
    """The UTF-16 or UTF-32 codec (with its byte order) of the content starting with `start`
    (its first few kB), or None: UTF-8, or not text. Cheap for a UTF-8 file: it starts
    with no byte-order mark of theirs and holds no NUL."""
    if not start.startswith(_STARTS) and b"\0" not in start:
        return None
    for mark, encoding in _MARKS:
        if start.startswith(mark):  # lines appended in 8 bits (`decoded`) are no wide text
            body = start[len(mark):]
            return encoding if _is_text(body[:_eight_bit_tail(body, encoding)], encoding) \
                else None
    if _UTF8_RUN.search(start) or 8 * start.count(b"\0") < len(start):
        return None  # mostly ASCII in UTF-16 is an eighth NULs at least, in UTF-32 a half
    return next((e for e in _UNMARKED if _is_text(start, e, ascii_share=_ASCII_SHARE)), None)


def _is_text(data: bytes, encoding: str, ascii_share: float = 0.0) -> bool:
    """Whether `data` (maybe cut within a character) decodes in `encoding` to printable
    text with no NUL, and at least `ascii_share` of it ASCII."""
    decoder = codecs.getincrementaldecoder(encoding)("replace" if not ascii_share else "strict")
    try:
        text = decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    if not text:
        return not data or not ascii_share
    if "\0" in text:
        return False
    # printable or white space (a space is both); a replacement character is no text's
    shown = sum(map(str.isprintable, text)) + sum(map(str.isspace, text)) \
        - text.count(" ") - text.count("\ufffd")
    if shown < _PRINTABLE_SHARE * len(text):
        return False
    return not ascii_share or sum(map(_ASCII.__contains__, text)) >= ascii_share * len(text)


def decoded(data: bytes, encoding: str) -> str | None:
    """`data`'s text in `encoding` (`wide_encoding`'s answer for its start), its byte-order
    mark left out, a unit that does not decode replaced (U+FFFD); None when, with no mark,
    the rest of it is not in that encoding after all (a run of bytes without a NUL)."""
    mark = next((m for m, e in _MARKS if e == encoding), b"")
    if not data.startswith(mark) and _UTF8_RUN.search(data):
        return None
    body = data.removeprefix(mark)
    cut = _eight_bit_tail(body, encoding) if mark else len(body)
    return body[:cut].decode(encoding, "replace") + _eight_bit(body[cut:])


def _eight_bit_tail(body: bytes, encoding: str) -> int:
    """Where the 8-bit text ending `body` starts, after its last NUL (`len(body)` when it
    has none): PowerShell 5.1's `>` writes UTF-16 with a mark and `Add-Content` appends in
    the ANSI code page, and the appended lines (a token among them), read as UTF-16, were
    wide-character noise no scan could read. Text in UTF-16 or UTF-32 has a NUL on every
    line (its line break's); a tail of `_UTF8_RUN` bytes and more with none, mostly ASCII,
    is not in it, nor is a shorter one of whole ASCII lines after the wide text's last line
    break (a short password line appended was decoded as noise and missed)."""
    unit = 4 if "32" in encoding else 2
    after = body.rfind(b"\0") + 1
    cut = after + -after % unit  # the unit the last NUL is in is the wide text's
    tail = body[cut:]
    shown = sum(32 <= byte < 127 or byte in b"\t\r\n" for byte in tail)
    if not after or not tail:  # no NUL at all: wide text, no head
        return len(body)
    if _UTF8_RUN.match(tail):  # mostly ASCII (a word of the code page's: `café`)
        return cut if shown >= _PRINTABLE_SHARE * len(tail) else len(body)
    # shorter (`PASS=Zq8#kLw`, 14 bytes): whole lines of 8-bit text after the wide text's
    # last line break, ending their own (as `Add-Content` writes them) or of a length no
    # wide text has; a last wide line without its break has a NUL, or a byte no 8-bit
    # line has, or neither ends with a line break nor is cut within a unit
    ends_a_line = body[:cut].endswith("\n".encode(encoding))
    whole = tail.endswith(b"\n") or len(tail) % unit != 0
    return cut if shown >= _PRINTABLE_SHARE * len(tail) and ends_a_line and whole \
        else len(body)


def _eight_bit(tail: bytes) -> str:
    try:
        return tail.decode("utf-8")
    except UnicodeDecodeError:
        return tail.decode("cp1252", "replace")  # the ANSI code page of a Western Windows


def text_of(data: bytes) -> str:
    """`data`'s text: decoded from UTF-16 or UTF-32 when it is in one of them, else from
    UTF-8 (a byte that does not decode replaced)."""
    encoding = wide_encoding(data[:_PROBE])
    text = decoded(data, encoding) if encoding else None
    return data.decode("utf-8", "replace") if text is None else text


def opaque_source_encoding(start: bytes) -> str | None:
    """The source encoding a Python file's PEP 263 cookie declares (`# coding: utf-7`), when
    that codec does not read ASCII as ASCII: Python then runs other code than its bytes show
    (`+AAo-` and `\\u000a` are line breaks in UTF-7 and `unicode_escape`), which no analyzer
    reading the bytes sees. None for UTF-8, Latin-1 and every other ASCII-preserving codec,
    and for no cookie or one Python refuses (the file does not run: the analyzers say so)."""
    if b"coding" not in start[:start.find(b"\n", start.find(b"\n") + 1) % (len(start) + 1)]:
        return None  # the cookie's two lines hold no "coding": the usual case, cheaply
    lines = iter(start.splitlines(keepends=True)[:2])
    try:
        codec, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    except SyntaxError:
        return None
    return None if _keeps_ascii(codec) else codec


# ASCII that a codec may read as something else: escapes (`unicode_escape`'s, `raw_`'s),
# UTF-7's base64, ISO-2022's and HZ's shifts
_SHIFTS = (b"\\u000a", b"\\U0000000a", b"\\x0a", b"\\n", b"\\012", b"+AAo-", b"\x1b$B!!\x1b(B",
           b"~{!!~}", b"~\n")


@functools.lru_cache(maxsize=64)
def _keeps_ascii(codec: str) -> bool:
    """Whether ASCII decodes in `codec` to itself: each byte alone, and each sequence some
    codec reads as another character (`_SHIFTS`)."""
    try:
        return (all(codecs.decode(bytes([b]), codec) == chr(b) for b in range(128))
                and all(codecs.decode(seq, codec) == seq.decode("ascii") for seq in _SHIFTS))
    except (UnicodeError, LookupError, TypeError, ValueError):
        return False
