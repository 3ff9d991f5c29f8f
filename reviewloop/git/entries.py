"""A path's entry — its mode and blob id — in a commit, in the index and in the working
tree, and writing one into the working tree without following a symlink: the plain git
operations landing a commit is made of (`landing.engine`)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence

from reviewloop.git import nofollow
from reviewloop.git.repository import Repository

Entry = tuple[str, str]  # (mode, blob id) of one path in a tree or the index


def write_entry(repo: Repository, path: str, entry: Entry | None) -> None:
    """Put `entry` (None: nothing) at `path` in the working tree, never through a symlink."""
    if entry is None or entry[0] == "160000":
        nofollow.write_entry(repo.root, path, None)
        return
    mode, blob = entry
    data = repo.git("cat-file", "blob", blob).encode("utf-8", "surrogateescape")
    nofollow.write_entry(repo.root, path, data, mode)


def set_index(checkout: Repository, paths: Sequence[str], new: Mapping[str, Entry]) -> None:
    gone = [p for p in paths if p not in new]
    infos = [arg for p in paths if p in new
             for arg in ("--cacheinfo", f"{new[p][0]},{new[p][1]},{p}")]
    if gone:  # first: a path may turn from a file (or link) into a folder
        checkout.git("update-index", "--force-remove", "--", *gone)
    if infos:
        checkout.git("update-index", "--add", "--replace", *infos)


def tree_entries(checkout: Repository, rev: str, paths: Sequence[str]) -> dict[str, Entry]:
    out = checkout.git("ls-tree", "-z", "--full-tree", rev, "--", *paths) if paths else ""
    entries = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, _, blob = meta.split()
        entries[path] = (mode, blob)
    return entries


def index_entries(checkout: Repository, paths: Sequence[str]) -> dict[str, Entry]:
    out = checkout.git("ls-files", "-s", "-z", "--", *paths)
    entries: dict[str, Entry] = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, blob, stage = meta.split()
        entries[path] = (mode, blob) if stage == "0" else ("conflict", stage)
    return entries


def worktree_blobs(checkout: Repository, paths: Sequence[str]) -> dict[str, str]:
    """The blob id each path's file would have (git's filters applied); "dir" for a folder."""
    blobs: dict[str, str] = {}
    regular = []
    for path in paths:
        full = checkout.root / path
        if full.is_symlink():
            target = os.readlink(full).encode("utf-8", "surrogateescape")
            blobs[path] = hashlib.sha1(b"blob %d\0" % len(target) + target,
                                       usedforsecurity=False).hexdigest()
        elif full.is_dir():
            blobs[path] = "dir"
        elif full.is_file():
            regular.append(path)
    if regular:
        ids = checkout.git("hash-object", "--", *regular).split()
        blobs.update(zip(regular, ids, strict=True))
    return blobs


def worktree_entries(checkout: Repository, paths: Sequence[str]) -> dict[str, Entry]:
    """The entry (mode, blob id) each of `paths` has in the working tree, as `git add` would
    record it; a folder or a missing path has none."""
    entries: dict[str, Entry] = {}
    for path, blob in worktree_blobs(checkout, paths).items():
        full = checkout.root / path
        if full.is_symlink():
            entries[path] = (nofollow.LINK, blob)
        elif blob != "dir":
            entries[path] = ("100755" if os.stat(full).st_mode & 0o100 else "100644", blob)
    return entries


def blob_of(entry: Entry | None) -> str | None:
    return entry[1] if entry else None
