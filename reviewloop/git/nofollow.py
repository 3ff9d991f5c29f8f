"""Writing and removing files in a working tree without ever following a symlink on the way.

A parent folder in the user's checkout may be a symlink to anywhere (an untracked
`outlink -> /elsewhere` that the run's worktree never had). Every folder below the root is
opened relative to its parent with O_NOFOLLOW, so a symlink met at any depth stops the
write instead of being followed; `refuse_symlinks` looks at every path first, so that a
landing refuses before it writes anything. A symlink that is itself the entry being written
(git mode 120000) is created or removed as a link, never followed.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Collection, Iterable
from contextlib import suppress
from pathlib import Path, PurePosixPath

from reviewloop.errors import UserInputError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
LINK = "120000"
EXECUTABLE = "100755"


class UnsafePath(UserInputError):
    """A path to write that could leave the folder it is written in (`..`, an absolute
    path, an empty part) or reach into git's own (`.git`): a tree made by hand or a
    tampered store can name one; nothing is written."""


def checked(path: str) -> str:
    """`path`, when every part of it is a plain name; else UnsafePath."""
    parts = path.split("/")
    if not path or any(p in ("", ".", "..") or p.lower() == ".git" for p in parts):
        raise UnsafePath(f"refused to write {path!r}: a path must stay inside the folder it "
                         "is written in and out of .git",
                         fix="the saved work is damaged or was tampered with; start the run "
                             "again (`reviewloop run`) rather than resume it")
    return path


class SymlinkInPath(UserInputError):
    """A path reviewloop would write or remove has a symlink on the way (or is an untracked
    one): following it could write anywhere, so nothing is written."""


def refuse_symlinks(root: Path, paths: Iterable[str], *, links: Collection[str] = (),
                    removed: Collection[str] = (), fix: str) -> None:
    """Raise SymlinkInPath for the first of `paths` that has a symlink among its parent
    folders (at any depth) or is itself a symlink, unless that symlink is an entry the
    writer replaces rather than follows: `links` are tracked symlinks (mode 120000) among
    `paths`, `removed` those of them the same write removes before writing beneath them."""
    for path in sorted(paths):
        parts = PurePosixPath(path).parts
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if not _is_link(root / prefix):
                continue
            if depth == len(parts) and prefix in links:
                continue
            if depth < len(parts) and prefix in removed:
                break  # the link goes first: what lies beneath is made anew
            raise _refusal(root, path, prefix, fix)


def write_entry(root: Path, path: str, data: bytes | None, mode: str = "100644") -> None:
    """Make `path` (relative to `root`) hold `data` with git `mode` — a regular file, an
    executable or a symlink whose target is `data` — or nothing when `data` is None.
    Whatever was there (a file, a link, a folder) goes first; missing folders are made.
    A path with a `..`, empty or `.git` part is refused (`checked`)."""
    fd = open_parent(root, checked(path), create=data is not None)
    if fd is None:
        return  # a parent is missing or a file: there is nothing to remove
    name = PurePosixPath(path).name
    try:
        _remove(fd, name)
        if data is None:
            return
        if mode == LINK:
            os.symlink(data, name, dir_fd=fd)
            return
        out = os.open(name, _NEW_FILE, 0o777 if mode == EXECUTABLE else 0o666, dir_fd=fd)
        with os.fdopen(out, "wb") as handle:
            handle.write(data)
    finally:
        os.close(fd)


def open_parent(root: Path, path: str, *, create: bool) -> int | None:
    """A descriptor of `path`'s parent folder, reached without following a symlink (made
    when `create`); None when it does not exist and `create` is off."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    walked: list[str] = []
    try:
        for name in PurePosixPath(path).parts[:-1]:
            walked.append(name)
            if create:
                with suppress(FileExistsError):
                    os.mkdir(name, dir_fd=fd)
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                # O_NOFOLLOW | O_DIRECTORY on a link fails with ENOTDIR (or ELOOP)
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link_at(fd, name):
                    raise _refusal(root, path, "/".join(walked), "") from None
                if exc.errno in (errno.ENOENT, errno.ENOTDIR) and not create:
                    os.close(fd)
                    return None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _remove(fd: int, name: str) -> None:
    """Remove entry `name` of the folder open as `fd`; a link is removed, never followed."""
    try:
        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        shutil.rmtree(name, dir_fd=fd)
    else:
        os.unlink(name, dir_fd=fd)


def _is_link_at(fd: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _refusal(root: Path, path: str, link: str, fix: str) -> SymlinkInPath:
    try:
        target = os.readlink(root / link)
    except OSError:
        target = "?"
    what = "is" if link == path else f"lies under {link}, which is"
    return SymlinkInPath(
        f"{path} {what} a symbolic link (to {target}): reviewloop never writes through a "
        f"symlink, so nothing was written", where=str(root),
        fix=fix or f"remove or rename {link} (move it out of the way), then try again")


def present(root: Path, paths: Iterable[str], *, files_only: bool = False) -> list[str]:
    """The `paths` something stands at (a file, a link, a folder); with `files_only`, a
    folder at one (`git add` would take in everything below it, unseen) is refused."""
    found = [p for p in paths if os.path.lexists(root / p)]
    folders = [p for p in found if files_only and stat.S_ISDIR(os.lstat(root / p).st_mode)]
    if folders:
        raise UserInputError(
            f"refused to commit {', '.join(folders)}: a folder stands where the change has a "
            "file (or none); committing it would take in every file below it, never reviewed",
            fix="remove the folder, or commit it yourself after a review")
    return found
