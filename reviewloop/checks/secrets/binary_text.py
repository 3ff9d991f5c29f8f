"""The secrets scan on a binary file the change adds or changes: its printable text.

A diff shows a binary file (an image, an archive) as "Binary files differ", no line of it,
so a key appended to a real PNG past its `IEND`, or written into a JPEG comment, was on no
added line and the secrets gate said nothing. gitleaks skips binary files the same way
(gitleaks/gitleaks#1541 asks for a `strings $file` scan); trufflehog reads them. Here the
file's runs of printable ASCII (`strings`' view: 8 characters or more, as a key's value
is) are scanned with the scanner's rules, one run a line, up to `MAX_BYTES` of the file;
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
        hits += _file_hits(str(root), file.path, _old_blob(file), stat.st_size,
                           stat.st_mtime_ns)
    return hits


def _old_blob(file: FileDiff) -> str | None:
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
    for hit in scan_text(text, path=path):
        if before and text[hit.start:hit.end] in before:
            continue  # the base's file held it already
        at = offsets(hit.start)
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
    """`data`'s runs of printable ASCII, one a line, and what maps an offset in that text
    to the byte offset in `data`."""
    runs = [(found.start(), found.group().decode("ascii")) for found in _RUN.finditer(data)]
    return "\n".join(text for _, text in runs), _Offsets(runs)


class _Offsets:
    """An offset in `printable`'s text → its byte offset in the file."""

    def __init__(self, runs: list[tuple[int, str]]) -> None:
        self._text = list(accumulate((len(text) + 1 for _, text in runs[:-1]), initial=0))
        self._bytes = [byte for byte, _ in runs]

    def __call__(self, offset: int) -> int:
        index = max(bisect_right(self._text, offset) - 1, 0)
        return self._bytes[index] + offset - self._text[index]
