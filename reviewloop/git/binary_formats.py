"""Whether bytes are binary: git's NUL test, and a binary format's look.

A file's first 8,000 bytes holding a NUL are binary to git; here they are binary only when
they also look like a binary format: a tenth or more of them control bytes, or a known
format's signature beside a tenth of bytes no text holds. `git.languages.is_binary` asks
this of a file of no known language.
"""

from __future__ import annotations

from reviewloop.git.encodings import wide_encoding

BINARY_PROBE = 8000  # git's own: a NUL in the first 8,000 bytes makes a file binary
# the first bytes of common binary formats: images, archives and compressed data, fonts,
# executables and object code, media, databases, serialized arrays and messages (MP3's, Ogg's
# and FLAC's with the byte after their letters: a version, a block type)
SIGNATURES = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\0", b"MM\0*", b"BM",
    b"\0\0\1\0", b"RIFF", b"%PDF-", b"PK\3\4", b"PK\5\6", b"PK\7\x08", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ\0", b"7z\xbc\xaf\x27\x1c", b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18",
    b"wOFF", b"wOF2", b"\0\1\0\0", b"OTTO", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe",
    b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ", b"\0asm", b"OggS\0", b"ID3\2", b"ID3\3",
    b"ID3\4", b"fLaC\0", b"fLaC\x80", b"SQLite format 3\0", b"\x93NUMPY", b"PAR1",
    b"\xde\x12\x04\x95", b"\x95\x04\x12\xde", b"!<arch>\n", b"\xd0\xcf\x11\xe0",
)
# the signatures a line of text can start with (`BM = 1`, `MZ=1`)
TEXTLIKE = tuple(s for s in SIGNATURES if all(32 <= b < 127 for b in s))
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b") + b"\x7f"
_BINARY_SHARE = 0.1  # of the probe's bytes, control bytes that make it binary


def looks_binary(start: bytes) -> bool:
    """Whether content starting with `start` is binary: git's NUL test, and a tenth or more
    of its first 8,000 bytes control bytes where they are no UTF-16 or UTF-32 text. A binary
    format's signature (`SIGNATURES`, an MP4's `ftyp`, a tar's `ustar`) counts only with a
    tenth of the bytes ones no text holds (control bytes, bytes that are not UTF-8), as a
    real image's, archive's or executable's are: a signature and a NUL are a few bytes the
    change itself writes, and a config file that starts with them (a PNG's
    and a NUL, `BM = 1`) is still a config file whose secrets must be read."""
    probe = start[:BINARY_PROBE]
    if b"\0" not in probe:
        return False
    control = len(probe) - len(probe.translate(None, _CONTROL))
    if probe.startswith(SIGNATURES) or probe[4:8] == b"ftyp" or probe[257:262] == b"ustar":
        decoded = probe.decode("utf-8", "replace")
        invalid = decoded.count("\ufffd") - probe.count("\ufffd".encode())
        if probe[-1] >= 0x80:  # a character cut at the probe's end is not a wrong byte
            invalid -= decoded[-4:].count("\ufffd")
        return control + invalid >= _BINARY_SHARE * len(probe)
    if wide_encoding(probe) is not None:  # UTF-16 or UTF-32 text
        return False
    return control >= _BINARY_SHARE * len(probe)
