"""Where a commit's files are written for a review to read: a folder in memory when the
machine has one with room to spare, else the temporary folder.

An export is written, read once by the analyzers and removed. Written into an ext4 /tmp,
5,000 small files cost 0.65 s of CPU in the kernel (journal, block allocation, inodes),
more than everything reviewloop did with them; into a tmpfs, 0.04 s. The user's `TMPDIR`
is their choice and is kept; a machine without a memory folder (or without room in it for
twice the files) uses the temporary folder as before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from reviewloop.git.export import Claimed
from reviewloop.git.repository import Repository

MEMORY = Path("/dev/shm")  # Linux's tmpfs open to every user (POSIX shared memory)
SPARE = 256 << 20  # bytes left free in it beyond twice the export
EXPORT_PREFIX = "reviewloop-head-"  # a head commit's export's folder (`runs.source.head_tree`)


def tree_bytes(repo: Repository, rev: str, claimed: Claimed | None = None) -> int:
    """The bytes of the regular files of commit `rev` (what `export_files` writes; the files
    `claimed` has whole are sized by their content, `Repository.tree_listing`)."""
    listing = repo.tree_listing(rev, claimed)  # the export that follows reads it from memory
    total = 0
    for record in listing.split("\0"):
        meta = record.partition("\t")[0].split()
        if len(meta) == 4 and meta[1] == "blob" and meta[0] in ("100644", "100755"):
            total += int(meta[3])
    return total


def place_for(size: int, memory: Path = MEMORY,
              environ: Mapping[str, str] = os.environ) -> str | None:
    """The folder to make a temporary folder for `size` bytes of files in: `memory` when it
    is a writable folder with twice `size` and `SPARE` free and `TMPDIR` names no folder of
    the user's; None: the temporary folder (`tempfile`'s choice)."""
    if environ.get("TMPDIR") or not memory.is_dir() or not os.access(memory, os.W_OK | os.X_OK):
        return None
    try:
        stats = os.statvfs(memory)
    except OSError:
        return None
    return str(memory) if stats.f_bavail * stats.f_frsize >= 2 * size + SPARE else None


def beside(tree: Path, memory: Path | None = None,
           environ: Mapping[str, str] = os.environ) -> str | None:
    """The folder to make a temporary folder in for files that go with the tree at `tree` (a
    change's base versions of its files, beside the head's export): `memory` (`MEMORY`
    unless given) when `tree` is a head's export there (`EXPORT_PREFIX`, placed with room for
    twice its files, `place_for`: the base holds the repository's files at most), it still
    has `SPARE` free and `TMPDIR` names no folder of the user's; None: the temporary folder,
    as for a checkout, whose size nothing here has weighed (even one kept in memory). Each
    file created in an ext4 /tmp cost 0.05–0.8 ms of kernel CPU on a virtual machine's disk,
    in a tmpfs ~0.02 ms."""
    memory = MEMORY if memory is None else memory
    try:
        real = Path(os.path.realpath(tree))
        exported = real.name.startswith(EXPORT_PREFIX) and real.parent == Path(
            os.path.realpath(memory))
    except (OSError, ValueError):
        return None
    return place_for(0, memory, environ) if exported else None


class LazyFolder:
    """A temporary folder made when a file is first placed in it (`folder / name`) and
    removed on exit, as `tempfile.TemporaryDirectory` removes one: an analyzer's room for a
    notebook's script or a config it writes, which most runs never need (a folder made and
    removed costs kernel CPU on every run: four ruff and two bandit runs a review). For one
    thread's use."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._made: tempfile.TemporaryDirectory[str] | None = None

    def __truediv__(self, name: str) -> Path:
        if self._made is None:
            self._made = tempfile.TemporaryDirectory(prefix=self._prefix)
        return Path(self._made.name) / name

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._made is not None:
            made, self._made = self._made, None
            made.cleanup()
