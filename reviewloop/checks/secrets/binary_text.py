"""The secrets scan on a binary file the change adds or changes: its printable text.

A diff shows a binary file (an image, an archive) as "Binary files differ", no line of it,
so a key appended to a real PNG past its `IEND`, or written into a JPEG comment, was on no
added line and the secrets gate said nothing. gitleaks skips binary files the same way
(gitleaks/gitleaks#1541 asks for a `strings $file` scan); trufflehog reads them. Here the
file's runs of printable ASCII (`strings`' view: 8 characters or more, as a key's value
is), and its runs of such characters as UTF-16 little- and big-endian text (`strings -e l`,
`-e b`: how Windows resources, .NET assemblies and many document formats store strings, a
key among them unseen by the ASCII view, a NUL after each character), are scanned with the
scanner's rules, one run a line, in the order they lie in the file, up to `MAX_BYTES` of it;
a larger one is named as not scanned for secrets (`AnalyzerContext.not_read`). A hit whose
text the base's blob already held is not the change's. Each hit is on the file's line 1,
its byte offset in the description; its preview is redacted as every hit's is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from reviewloop.checks.secrets.scanner import SecretHit, scan_text
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.names import under
from reviewloop.git.plaindiff import read_blob

MAX_BYTES = 16_000_000  # the secrets analyzer's and the diff's ceiling (`git.sizes`)
_RUN = re.compile(rb"[\x20-\x7e\t]{8,}")
# NUL-led printable pairs: 7 make a UTF-16BE run of 7, or the inside of a UTF-16LE one of 8
# (written out: a pattern opening with a literal NUL is searched for by that byte first)
_PAIRS = re.compile(rb"\x00[\x20-\x7e\t]" * 7 + rb"(?:\x00[\x20-\x7e\t])*")
_PRINTABLE = frozenset(map(chr, (*range(0x20, 0x7f), 0x09)))
_BLOBS = re.compile(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)", re.MULTILINE)
TOO_LARGE = "a binary file of {size:,} bytes, over the {limit:,} whose text the secrets " \
            "scan reads: it was not scanned for secrets"


def binary_hits(root: Path, changes: ChangeSet, paths: tuple[str, ...],
                not_read: Callable[[str, str], None]) -> list[SecretHit]:
    """The secrets in the printable text of each binary file of `changes` among `paths`
    that the change adds or changes; one too large to read is named to `not_read` (its
    path, why) instead."""
    hits: list[SecretHit] = []
    wanted = set(paths)
    for file in changes.files:
        if not file.binary or file.status is FileStatus.DELETED or file.path not in wanted:
            continue
        source = under(root, file.path)
        try:
            stat = source.stat()
        except OSError:
            continue  # not in the tree: nothing of it to read
        if stat.st_size > MAX_BYTES:
            not_read(file.path, TOO_LARGE.format(size=stat.st_size, limit=MAX_BYTES))
            continue
        hits += _file_hits(str(root), file.path, old_blob(file), stat.st_size,
                           stat.st_mtime_ns)
    return hits


def old_blob(file: FileDiff) -> str | None:
    """The base's blob of a changed file, by its diff's `index` line (None: a new file)."""
    found = _BLOBS.search(file.text)
    if file.status is FileStatus.ADDED or found is None or not found.group(1).strip("0"):
        return None
    return found.group(1)


@lru_cache(maxsize=256)  # the gate and the analyzer ask of the same file in a round
def _file_hits(root: str, path: str, old: str | None, size: int, mtime: int) -> list[SecretHit]:
    """The hits in the file's printable text not in its base blob's (`old`); `size` and
    `mtime` key the cache to the file's content."""
    del size, mtime
    data = under(Path(root), path).read_bytes()[:MAX_BYTES]
    text, offsets = printable(data)
    if not text:
        return []
    before = _old_text(Path(root), old)
    out = []
    seen: set[tuple[str, int]] = set()
    for hit in scan_text(text, path=path):
        if before and text[hit.start:hit.end] in before:
            continue  # the base's file held it already
        at = offsets(hit.start)
        if (hit.rule, at) in seen:  # the same bytes read as UTF-16 in both byte orders
            continue
        seen.add((hit.rule, at))
        out.append(hit.model_copy(update={
            "line": 1, "column": 1, "end_column": 1,
            "description": f"{hit.description} (in the binary file's bytes, at offset "
                           f"{at:,})"}))
    return out


def _old_text(root: Path, blob: str | None) -> str:
    """The printable text of the base's blob (empty: none, or git could not read it)."""
    if blob is None:
        return ""
    try:
        return printable(read_blob(root, blob, limit=MAX_BYTES))[0]
    except OSError:
        return ""


def printable(data: bytes) -> tuple[str, _Offsets]:
    """`data`'s runs of printable ASCII, plain or as UTF-16 (`_wide`), one a line in the
    file's order, and what maps an offset in that text to the byte offset in `data`."""
    runs = [(found.start(), found.group().decode("ascii"), 1) for found in _RUN.finditer(data)]
    if (wide := _wide(data)):
        runs = sorted(runs + wide)
    return "\n".join(text for _, text, _ in runs), _Offsets(runs)


def _wide(data: bytes) -> list[tuple[int, str, int]]:
    """`data`'s runs of 8 or more printable characters as UTF-16LE (`strings -e l`: each
    followed by a NUL) and UTF-16BE (`-e b`: each after one): (byte offset, text, 2) each.
    Both are found from one search for NUL-led pairs (its literal first byte looked for
    first: ~0.01 s on 16 MB of random bytes, against ~0.65 s for a pattern a byte order
    opening with a class): a big-endian run is such pairs, a little-endian one the same
    bytes read one byte earlier, the character before the first NUL its first and the last
    its last only when a NUL follows it. Of the two readings of one stretch, one holding the
    other is the only one kept; two that differ at an end (a stray printable byte) are both
    kept, as the two `strings` would print them."""
    out: list[tuple[int, str, int]] = []
    for found in _PAIRS.finditer(data):
        start, end = found.span()
        chars = found.group()[1::2].decode("ascii")
        first = data[start - 1:start].decode("latin-1") if start else ""
        first = first if first and first in _PRINTABLE else ""
        little = first + chars[:-1] + (chars[-1] if data[end:end + 1] == b"\0" else "")
        readings = [(start + 1, chars), (start - 1 if first else start + 1, little)]
        readings = [r for r in readings if len(r[1]) >= 8]
        if len(readings) == 2 and (readings[0][1] in readings[1][1]
                                   or readings[1][1] in readings[0][1]):
            readings = [max(readings, key=lambda r: len(r[1]))]
        out += [(byte, text, 2) for byte, text in readings]
    return out


class _Offsets:
    """An offset in `printable`'s text → its byte offset in the file."""

    def __init__(self, runs: list[tuple[int, str, int]]) -> None:
        self._text = list(accumulate((len(text) + 1 for _, text, _ in runs[:-1]), initial=0))
        self._bytes = [(byte, width) for byte, _, width in runs]

    def __call__(self, offset: int) -> int:
        index = max(bisect_right(self._text, offset) - 1, 0)
        byte, width = self._bytes[index]
        return byte + (offset - self._text[index]) * width
