"""A path's entry — its mode and blob id — in a commit, in the index and in the working
tree, and writing one into the working tree without following a symlink: the plain git
operations landing a commit is made of (`landing.engine`). A file is written as `git
checkout` writes it: through the path's attributes and the repository's config (`eol`,
`core.autocrlf`, `filter=` smudge filters such as git-lfs), never as the raw blob."""

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
    nofollow.write_entry(repo.root, path, checked_out(repo, path, entry), entry[0])


def checked_out(repo: Repository, path: str, entry: Entry) -> bytes:
    """The bytes `git checkout` writes at `path` for `entry`: a file's blob through git's
    smudge side (line ends, smudge filters), as the checkout's attributes and config say; a
    symlink's target as stored."""
    mode, blob = entry
    raw = ("blob", blob) if mode == nofollow.LINK else ("--filters", f"--path={path}", blob)
    return repo.git("cat-file", *raw).encode("utf-8", "surrogateescape")


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
    record it; a folder or a missing path has none. Under `core.fileMode = false` git takes
    no executable bit from the disk (the index's mode stays, a new file is 100644), and
    neither does this: a mode the file system cannot keep is not an edit."""
    entries: dict[str, Entry] = {}
    blobs = worktree_blobs(checkout, paths)
    kept = None if _file_modes(checkout) else index_entries(checkout, list(blobs))
    for path, blob in blobs.items():
        full = checkout.root / path
        if full.is_symlink():
            entries[path] = (nofollow.LINK, blob)
        elif blob != "dir":
            disk = "100755" if os.stat(full).st_mode & 0o100 else "100644"
            index = kept.get(path, ("100644", ""))[0] if kept is not None else disk
            entries[path] = (index if index in ("100644", "100755") else "100644", blob)
    return entries


def _file_modes(checkout: Repository) -> bool:
    """Whether git reads the executable bit from the disk here (`core.fileMode`, default
    true)."""
    said = checkout.git("config", "--type=bool", "--default=true", "--get", "core.fileMode")
    return said.strip() != "false"


def blob_of(entry: Entry | None) -> str | None:
    return entry[1] if entry else None
