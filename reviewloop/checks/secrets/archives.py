"""The secrets scan on an archive the change adds or changes: the files inside it.

A deflated zip member or a gzip stream has no printable run, so `binary_text`'s `strings`
view of `conf.zip` read nothing of the key in its `settings.py` and the gate said "no
secret". Here each file inside an archive (`archive_members`: zip and what is one, gzip,
bzip2, xz, tar, nested two deep, bounded against bombs) is scanned as a text file is, its
name saying how its values read; a binary one by its printable runs. A hit is on the
archive's line 1 (the diff has no line of it), the member and its line named in the
description (`conf.zip!settings.py, line 2`). A hit whose text the base's copy of the
archive held is not the change's (as `binary_text` rules); nor is one the archive's own
printable text shows, which `binary_text` reports already (a stored member). An archive
past a limit, encrypted or broken is named as not scanned for secrets (`not_read`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG

from reviewloop.checks.secrets.archive_members import Budget, kind, leaves
from reviewloop.checks.secrets.binary_text import MAX_BYTES, old_blob, printable
from reviewloop.checks.secrets.scanner import SecretHit, scan_text
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.names import under, under_text
from reviewloop.git.plaindiff import read_blob
from reviewloop.git.reads import batched, lstat, read_bytes

_PROBE = 8_000  # git's own binary probe: a NUL in it makes a member binary
_MAGIC = 512  # the bytes `kind` is given: enough for tar's signature at offset 257
NOT_SCANNED = "an archive not scanned for secrets: {why}"


def archive_hits(root: Path, changes: ChangeSet, paths: tuple[str, ...],
                 not_read: Callable[[str, str], None]) -> list[SecretHit]:
    """The secrets in the files inside each archive of `changes` among `paths` that the
    change adds or changes; one not read whole is named to `not_read` (its path, why)."""
    hits: list[SecretHit] = []
    wanted = set(paths)
    for file in changes.files:
        if file.status is not FileStatus.DELETED and file.path in wanted \
                and (scanned := _scan(root, file)) is not None:
            if scanned[1]:
                not_read(file.path, NOT_SCANNED.format(why=scanned[1]))
            hits += scanned[0]
    return hits


def unscanned(root: Path, file: FileDiff) -> str | None:
    """Why the archive `file` of the change was not scanned for secrets whole (the
    `changed-files` row names it, so the review is incomplete), or None: it was, or it is
    no archive."""
    scanned = _scan(root, file)
    return NOT_SCANNED.format(why=scanned[1]) if scanned and scanned[1] else None


def _scan(root: Path, file: FileDiff) -> tuple[list[SecretHit], str] | None:
    """`_file_hits` of `file` as it is in the tree; None when it is no archive, not there,
    or too large to read (`binary_text` names that)."""
    try:
        info = _archive(root, file.path)
    except OSError:
        return None  # not in the tree (or a folder): nothing of it to read
    if info is None or info.st_size > MAX_BYTES:
        return None
    return _file_hits(str(root), file.path, old_blob(file), file.binary, info.st_size,
                      info.st_mtime_ns)


def _archive(root: Path, path: str) -> os.stat_result | None:
    """The file's `stat` when it starts as an archive does, else None. In a review's batch
    (`git.reads`) a regular file is judged by the read the other steps share: a change of
    5,000 files opened each of them once more here only to find it is no archive."""
    full = under_text(root, path)
    if batched(root):
        info = lstat(root, full)
        if S_ISREG(info.st_mode):  # one over the ceiling is not read here: no bytes asked
            return info if info.st_size <= MAX_BYTES and kind(
                read_bytes(root, full)[:_MAGIC]) is not None else None
    with open(full, "rb") as stream:  # a link is followed, as `open` does
        return os.stat(stream.fileno()) if kind(stream.read(_MAGIC)) is not None else None


@lru_cache(maxsize=64)  # the gate and the analyzer ask of the same file in a round
def _file_hits(root: str, path: str, old: str | None, binary: bool, size: int,
               mtime: int) -> tuple[list[SecretHit], str]:
    """The hits inside the archive at `path` not in its base blob's (`old`), and why it was
    not read whole ("" if it was); `size` and `mtime` key the cache to its content."""
    del size, mtime
    data = under(Path(root), path).read_bytes()[:MAX_BYTES]
    before = _base_texts(Path(root), path, old)
    shown = printable(data)[0] if binary else ""  # what `binary_text` scans of it
    out: list[SecretHit] = []
    budget = Budget()
    for member, content in leaves(path, data, budget):
        text, line_of = _text(content)
        for hit in scan_text(text, path=member.rsplit("!", 1)[-1]):
            value = text[hit.start:hit.end]
            if value in shown or any(value in held for held in before):
                continue  # `binary_text` reports it, or the base's archive held it
            out.append(hit.model_copy(update={
                "path": path, "line": 1, "column": 1, "end_column": 1,
                "description": f"{hit.description} (in {member}, {line_of(hit.start)})"}))
    return out, budget.unread


def _text(content: bytes) -> tuple[str, Callable[[int], str]]:
    """A member's text as the scan reads it (a text file's, or a binary one's printable
    runs), and what names where an offset in it is."""
    if b"\0" not in content[:_PROBE]:
        text = content.decode("utf-8", "replace")
        return text, lambda at: f"line {text.count(chr(10), 0, at) + 1}"
    runs, offsets = printable(content)
    return runs, lambda at: f"its bytes at offset {offsets(at):,}"


def _base_texts(root: Path, path: str, blob: str | None) -> list[str]:
    """The text of each file inside the base's copy of the archive (empty: none, or it
    does not read; what read before a limit is kept)."""
    if blob is None:
        return []
    try:
        data = read_blob(root, blob, limit=MAX_BYTES)
    except OSError:
        return []
    return [_text(content)[0] for _, content in leaves(path, data, Budget())]
