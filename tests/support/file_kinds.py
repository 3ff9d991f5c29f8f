"""What may stand at a Kiro document's path (steering, requirements.md, design.md, tasks.md,
memory.md) — a regular file, a dangling link, a link to a folder, a folder, a FIFO, a link
out of the repository, UTF-8 with a BOM, UTF-16, Latin-1, an empty file — each made for a
test by `make`, and what an untouched entry looks like (`state`). New kinds are added here."""

from __future__ import annotations

import os
import stat
from pathlib import Path

READABLE = ("regular", "bom", "empty")
# the words each refusal names the entry with
NAMED = {
    "dangling": "which does not exist",
    "link_dir": "which is a folder",
    "folder": "is a folder",
    "fifo": "is a named pipe (FIFO)",
    "link_out": "outside the repository",
    "utf16": "UTF-16",
    "latin1": "is not UTF-8 text",
}
KINDS = (*READABLE, *NAMED)
LINKS = ("dangling", "link_dir", "link_out")


def make(kind: str, root: Path, rel: str, text: str) -> None:
    """`kind` at `rel` below the repository `root`, holding `text` where it holds any; the
    link out points at a file beside `root` holding the same text."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "regular":
        path.write_bytes(text.encode())
    elif kind == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "utf16":
        path.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as editors write
    elif kind == "latin1":
        path.write_bytes(text.encode("latin-1") + "caf\u00e9\n".encode("latin-1"))
    elif kind == "dangling":
        os.symlink("missing-in-submodule/" + path.name, path)
    elif kind == "link_dir":
        (root / "some-folder").mkdir(exist_ok=True)
        os.symlink(os.path.relpath(root / "some-folder", path.parent), path)
    elif kind == "folder":
        path.mkdir()
        (path / "keep.txt").write_bytes(b"the user's own file\n")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "link_out":
        outside = root.parent / f"outside-{path.name}"
        outside.write_bytes(text.encode())
        os.symlink(outside, path)
    else:
        raise ValueError(f"unknown file kind {kind!r}")


def state(path: Path) -> object:
    """What stands at `path`, compared before and after: a link's target, a folder's files
    and their bytes, a FIFO as such (never opened), a file's bytes."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return ("folder", {p.name: p.read_bytes() for p in sorted(path.iterdir())})
    if stat.S_ISFIFO(info.st_mode):
        return ("fifo",)
    return ("file", path.read_bytes())
