"""A changed file's content read from the file system once, while a tree is read by many
steps and written by none (a review with no fixer, `review.readable.one_batch`): the
classification, the suppressions and the test-change check each read every changed file,
three opens a file (15,000 at 5,000 files) for one content.

Each file's `lstat` is shared the same way (`lstat`): the first look at a changed file
and the suppressions' read of its lines asked the file system each. And what several
steps derive from the tree alike (`derived`): the Dockerfiles a change's build files name,
asked by checkov's claims and by hadolint's.

Outside such a batch every read goes to the file system, as before. A batch keeps at most
`BUDGET` bytes; past it a file is read again by whoever asks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar, cast

T = TypeVar("T")

BUDGET = 128 << 20  # bytes kept by all open batches together

_TREES: dict[str, dict[str, bytes]] = {}  # root (as given) -> full path -> content
_LOOKS: dict[str, dict[str, os.stat_result]] = {}  # root -> full path -> its `os.lstat`
_DERIVED: dict[str, dict[Hashable, Future[Any]]] = {}  # root -> key -> what `derived` gave
_LOCK = threading.Lock()  # the analyzers read from several threads at once
_kept = 0


@contextmanager
def one_read(root: str | os.PathLike[str]) -> Iterator[None]:
    """Inside, `read_bytes(root, …)` reads each file of the tree at `root` once (the tree
    must not change meanwhile); nested for the same root, the outer batch holds."""
    key = os.fspath(root)
    with _LOCK:
        outer = key in _TREES
        _TREES.setdefault(key, {})
        _LOOKS.setdefault(key, {})
        _DERIVED.setdefault(key, {})
    try:
        yield
    finally:
        if not outer:
            _forget(key)


def _forget(key: str) -> None:
    global _kept
    with _LOCK:
        _kept -= sum(map(len, _TREES.pop(key).values()))
        del _LOOKS[key], _DERIVED[key]


def batched(root: str | os.PathLike[str]) -> bool:
    """Whether a batch for the tree at `root` is open (a file read is shared)."""
    return os.fspath(root) in _TREES


def lstat(root: str | os.PathLike[str], full: str) -> os.stat_result:
    """`os.lstat(full)` (a path under `root`), as it answers and raises: in a batch, the
    first answer for the file, which every later look shares (the first look at a changed
    file and the suppressions' read of its lines each made one: 10,000 at 5,000 files).
    A failed look is not kept."""
    looks = _LOOKS.get(os.fspath(root))
    if looks is None:
        return os.lstat(full)
    info = looks.get(full)
    if info is None:
        info = looks[full] = os.lstat(full)  # one dict write: safe from several threads
    return info


def derived(root: str | os.PathLike[str], key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`: what the tree at `root` says (its names, its files), asked by several
    steps. In a batch, computed once for `key` (whoever asks meanwhile waits for it) and
    kept while the batch lasts; an error is raised to those waiting, never kept. Outside a
    batch, computed at each ask. The answer is shared: it must not be changed."""
    memo = _DERIVED.get(os.fspath(root))
    if memo is None:
        return compute()
    with _LOCK:
        asked = memo.get(key)
        mine = asked is None
        if asked is None:
            asked = memo[key] = Future()
    if mine:
        try:
            asked.set_result(compute())
        except BaseException as exc:
            with _LOCK:
                memo.pop(key, None)  # asked again later: computed again
            asked.set_exception(exc)
            raise
    return cast(T, asked.result())


def read_bytes(root: str | os.PathLike[str], full: str) -> bytes:
    """The content of the file at `full` (a path under `root`), as `open(full, "rb").read()`
    gives it and raises: from memory when a batch for `root` read it already."""
    files = _TREES.get(os.fspath(root))
    if files is not None and (data := files.get(full)) is not None:
        return data
    with open(full, "rb") as handle:
        data = handle.read()
    if files is not None:
        _keep(os.fspath(root), full, data)
    return data


def wrote(root: str | os.PathLike[str], full: str, data: bytes) -> None:
    """`data` was just written to the file at `full` under `root` by the one making the tree
    (a head commit's export): an open batch for `root` keeps it as that file's read, so no
    step reads back what is in memory already. Nothing happens outside a batch."""
    key = os.fspath(root)
    if key in _TREES:
        _keep(key, full, data)


def _keep(key: str, full: str, data: bytes) -> None:
    global _kept
    with _LOCK:
        files = _TREES.get(key)  # None: the batch ended meanwhile
        if files is not None and full not in files and _kept + len(data) <= BUDGET:
            files[full] = data
            _kept += len(data)


def read_text(root: str | os.PathLike[str], full: str, errors: str = "strict",
              limit: int | None = None) -> str:
    """The file's text as `open(full, encoding="utf-8", errors=errors).read(limit)` gives it
    (universal newlines: CRLF and CR read as LF) and raises; outside a batch, or strict
    (a bad byte past them is not open's error), only the first `limit` characters are
    read."""
    if limit is not None and (errors == "strict" or os.fspath(root) not in _TREES):
        with open(full, encoding="utf-8", errors=errors) as handle:
            return handle.read(limit)
    text = read_bytes(root, full).decode("utf-8", errors)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if limit is None else text[:limit]
