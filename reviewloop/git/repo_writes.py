"""Writing a file of the user's repository (`.reviewloop/`, `.kiro/`, a spec, init's files):
never through a symlink, never outside the repository, and atomically.

A repository can commit a symlink anywhere (`.kiro/context -> ~`, `docs/x-spec.md ->
~/.bashrc`): a plain `write_text` follows it and overwrites what it points at. Every target is
checked before anything is written (`check`): a symlink at any part of its path under the
root, or a path that resolves outside the root (and, asked, a file where a folder of the
path must be or a folder where the file is to be written) stops the command with exit 2
naming it. The write itself opens each folder with O_NOFOLLOW (`nofollow.open_parent`),
writes a temporary file beside the target and renames it over the target, so a reader never
sees half a file and a link slipped in after the check is replaced, never followed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from reviewloop.errors import UserInputError
from reviewloop.git import nofollow
from reviewloop.git.nofollow import UnsafePath, refuse_symlinks

_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def relative(root: Path, path: Path | str) -> str:
    """`path` (absolute under `root`, or relative to it) as a POSIX path relative to `root`;
    UnsafePath when it is not one (`..`, outside the root, empty)."""
    given = Path(path)
    if given.is_absolute():
        try:
            given = given.relative_to(root)
        except ValueError:
            raise _outside(root, str(path)) from None
    rel = PurePosixPath(given.as_posix()).as_posix()
    if rel in ("", ".") or any(p in ("", ".", "..") for p in rel.split("/")):
        raise _outside(root, str(path))
    return rel


def check(root: Path, paths: Iterable[Path | str], *, fix: str = "",
          whole: bool = False) -> list[str]:
    """The `paths` relative to `root`, once none of them has a symlink at any part of its
    path (SymlinkInPath, exit 2, naming the link) or resolves outside `root` (UnsafePath);
    with `whole`, nor something else than a folder on its way or a folder at its end
    (`in_the_way`). Writers ask this for every file they will write before they write the
    first."""
    rels = [relative(root, p) for p in paths]
    refuse_symlinks(root, rels, fix=fix)
    real_root = os.path.realpath(root)
    for rel in rels:
        if os.path.commonpath([real_root, os.path.realpath(root / rel)]) != real_root:
            raise _outside(root, rel)
        if whole:
            in_the_way(root, rel)
    return rels


def in_the_way(root: Path, rel: str) -> None:
    """Exit 2 naming it when a file (or anything but a folder) stands where a folder of `rel`
    must be, or a folder stands at `rel` itself: the write would fail halfway (or, replacing
    the folder, lose what it holds), so nothing is written and the user's entry is kept."""
    parts = PurePosixPath(rel).parts
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        try:
            mode = os.lstat(root / prefix).st_mode
        except FileNotFoundError:
            return  # made by the write, as a folder
        last = depth == len(parts)
        if not last and not stat.S_ISDIR(mode):
            raise UserInputError(
                f"refused to write {rel}: {prefix} is {_kind(mode)}, not a folder that can hold "
                "it; nothing was written", where=str(root / prefix),
                fix=f"move or rename {prefix} (it is kept as it is), then run the command again")
        if last and stat.S_ISDIR(mode):
            raise UserInputError(
                f"refused to write {rel}: a folder stands where this file is written; nothing "
                "was written and the folder is kept", where=str(root / prefix),
                fix=f"move or rename the folder {prefix} (its files are kept), then run the "
                    "command again")


def _kind(mode: int) -> str:
    return "a file" if stat.S_ISREG(mode) else "a special file (a FIFO, a socket or a device)"


def line_end(text: str) -> str:
    """The line end `text` uses, for lines added to it: CRLF when most of its lines end so
    (a file saved on Windows), else LF. Lines added in the file's own ends leave the user's
    lines as they were (`git diff` shows only the added ones)."""
    return "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"


def append_line(path: Path, line: str) -> None:
    """`line` added at the end of the file `path` (made when missing) in the file's own line
    ends; its bytes as they are otherwise (CRLF stays CRLF, a byte that is not UTF-8 stays
    that byte). For git's own files (`.git/info/exclude`), not the repository's."""
    text = path.read_bytes().decode("utf-8", "surrogateescape") if path.exists() else ""
    end = line_end(text)
    if text and not text.endswith("\n"):
        text += end
    path.write_bytes(f"{text}{line}{end}".encode("utf-8", "surrogateescape"))


def write(root: Path, path: Path | str, data: str | bytes, *, fix: str = "") -> Path:
    """Make `path` (under `root`) hold `data` (text is UTF-8): checked as `check` does, its
    missing folders made without following a link, written to a temporary file beside it and
    renamed over it. An existing file keeps its permission bits. Returns `root / path`."""
    rel = check(root, [path], fix=fix)[0]
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        _replace(root, rel, payload)
    except OSError as exc:
        if exc.filename is None or Path(exc.filename).is_absolute():
            raise
        # the call named a file relative to a folder's descriptor: name the folder's path
        folder = root / PurePosixPath(rel).parent
        raise type(exc)(exc.errno, exc.strerror, str(folder)) from None
    return root / rel


def _replace(root: Path, rel: str, payload: bytes) -> None:
    fd = nofollow.open_parent(root, rel, create=True)
    assert fd is not None  # create=True makes every folder or raises
    name = PurePosixPath(rel).name
    temp = f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        kept = _mode(fd, name)
        out = os.open(temp, _TEMP_FLAGS, 0o666, dir_fd=fd)
        try:
            if kept is not None:
                os.fchmod(out, kept)
            with os.fdopen(out, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            _discard(fd, temp)
            raise
    finally:
        os.close(fd)


def _mode(fd: int, name: str) -> int | None:
    """The permission bits of the file at `name` now, which the new file keeps; None when
    there is none (a new file gets 0o666 less the umask, as `open` makes it)."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else None


def _discard(fd: int, temp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp, dir_fd=fd)


def _outside(root: Path, path: str) -> UnsafePath:
    return UnsafePath(f"refused to write {path}: it is not a path inside the repository; "
                      "nothing was written", where=str(root),
                      fix="name a file inside the repository")
