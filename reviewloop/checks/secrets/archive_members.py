"""The files inside an archive, read with the standard library and bounded against bombs.

A zip (and what is one: jar, whl, apk, docx, xlsx), a gzip, bzip2 or xz stream and a tar
(plain or in one of those) are known by their first bytes, not their names. `leaves` yields
each regular file inside, an archive inside an archive opened in turn, at most `MAX_DEPTH`
levels below the file (a `.tar.gz` is one level: its compression and its tar are one
archive). Limits: `MAX_INFLATED` bytes inflated in all, `MAX_MEMBERS` members, a member
inflating more than `MAX_RATIO` times its compressed size (a bomb's mark). Past a limit, an
encrypted member, or bytes that do not read as what they start as, end the reading, the
member and why in `Budget.unread`: the caller names the archive as not scanned.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator

MAX_INFLATED = 64 << 20  # bytes inflated from one archive, nested ones included
MAX_MEMBERS = 10_000  # files and folders in one archive, nested ones included
MAX_DEPTH = 2  # archives inside the file's archive opened at most this deep
MAX_RATIO = 1_000  # deflate's best is ~1,032:1: a member past it is a bomb's
_CHUNK = 1 << 20  # a compressed stream is inflated this much at a time
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_STREAMS = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_SUFFIXES = {"gzip": (".gz", ".tgz"), "bzip2": (".bz2", ".tbz2", ".tbz"),
             "xz": (".xz", ".txz")}
_BROKEN = (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, zlib.error,
           lzma.LZMAError, ValueError, NotImplementedError, RuntimeError)


class _Unreadable(Exception):  # it ends `leaves`: never seen outside this module
    """Why an archive was not read whole (its message names the member)."""


class Budget:
    """What is left to inflate and count from one archive, nested ones included."""

    def __init__(self) -> None:
        self.left = MAX_INFLATED
        self.members = 0
        self.unread = ""  # why the archive was not read whole ("" if it was)

    def count(self, name: str) -> None:
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise _Unreadable(f"{name}: over {MAX_MEMBERS:,} members")

    def take(self, name: str, size: int, packed: int) -> None:
        """Spend `size` inflated bytes of a member `packed` into `packed` bytes."""
        self.check(name, size, packed)
        self.left -= size

    def check(self, name: str, size: int, packed: int) -> None:
        """Raise `_Unreadable` if `size` bytes inflated from `packed` pass a limit."""
        if size > self.left:
            raise _Unreadable(f"{name} inflates past {MAX_INFLATED >> 20} MiB in all")
        if size > MAX_RATIO * max(packed, 1):
            raise _Unreadable(f"{name} inflates {size // max(packed, 1):,} times its "
                             f"{packed:,} bytes, past {MAX_RATIO:,}: a compression bomb")


def kind(data: bytes) -> str | None:
    """The archive `data` is by its first bytes ("zip", "gzip", "bzip2", "xz", "tar"), or
    None."""
    if data.startswith(_ZIP):
        return "zip"
    for magic, name in _STREAMS.items():
        if data.startswith(magic):
            return name
    return "tar" if data[257:262] == b"ustar" else None


def leaves(name: str, data: bytes, budget: Budget) -> Iterator[tuple[str, bytes]]:
    """(`name!member…`, bytes) of each regular file inside the archive `data` named `name`,
    up to the first limit or broken part (then why is `budget.unread`)."""
    try:
        yield from _leaves(name, data, budget, 0)
    except _Unreadable as exc:
        budget.unread = str(exc)


def _leaves(name: str, data: bytes, budget: Budget, depth: int) -> Iterator[
        tuple[str, bytes]]:
    """`leaves`, `depth` archives below the file; raises `_Unreadable`."""
    form = kind(data)
    try:
        if form == "zip":
            inner = _zip(name, data, budget)
        elif form == "tar":
            inner = _tar(name, data, budget)
        elif form is not None:
            inner = _stream(name, form, data, budget)
        else:
            return
        for member, content in inner:
            if kind(content) is None:
                yield member, content
            elif depth >= MAX_DEPTH:
                raise _Unreadable(f"{member} is an archive nested more than {MAX_DEPTH} "
                                 "deep")
            else:
                yield from _leaves(member, content, budget, depth + 1)
    except _BROKEN as exc:
        raise _Unreadable(f"{name} does not read as a {form} archive ({exc})") from exc


def _zip(name: str, data: bytes, budget: Budget) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            member = f"{name}!{info.filename}"
            budget.count(member)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise _Unreadable(f"{member} is encrypted")
            budget.take(member, info.file_size, info.compress_size)
            with archive.open(info) as stream:  # its size as declared, checked as read
                yield member, stream.read(info.file_size)


def _tar(name: str, data: bytes, budget: Budget) -> Iterator[tuple[str, bytes]]:
    """The files of a tar already in memory (its bytes were counted as inflated)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            member = f"{name}!{info.name}"
            budget.count(member)
            stream = archive.extractfile(info) if info.isfile() else None
            if stream is not None:
                yield member, stream.read()


def _stream(name: str, form: str, data: bytes, budget: Budget) -> Iterator[
        tuple[str, bytes]]:
    """A compressed stream's content: a tar's files (`.tar.gz` is one archive), or the one
    file it holds, named as the stream less its suffix (`conf.json.gz!conf.json`)."""
    packed = io.BytesIO(data)
    chunks: list[bytes] = []
    size = 0
    with (gzip.GzipFile(fileobj=packed) if form == "gzip" else bz2.BZ2File(packed)
          if form == "bzip2" else lzma.LZMAFile(packed)) as stream:
        while chunk := stream.read(_CHUNK):  # a bomb stops at its first limit
            size += len(chunk)
            chunks.append(chunk)
            budget.check(name, size, len(data))
    budget.take(name, size, len(data))
    content = b"".join(chunks)
    if kind(content) == "tar":
        yield from _tar(name, content, budget)
        return
    base = name.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    suffix = next((s for s in _SUFFIXES[form] if base.lower().endswith(s)), "")
    inner = base[:len(base) - len(suffix)] if suffix else base
    budget.count(name)
    yield f"{name}!{inner or base}", content
