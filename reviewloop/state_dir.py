"""Where reviewloop keeps a repository's state, `.reviewloop/`: refused when it is not a folder
or cannot be written, or is a link the repository itself tracks, before any command reads or
writes it.

A link you make yourself (untracked: state kept on another disk) is a state folder. A link
the repository tracks came with its files (a pull request's head, a clone): it would put the
SQLite stores wherever its author pointed it, outside the repository, so it is refused."""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.errors import (
    NOT_WRITABLE_FIX,
    NotWritable,
    UserInputError,
    not_writable,
    write_refused,
)
from reviewloop.git.command import GitCommand

STATE_DIR = ".reviewloop"


def state_folder(root: Path) -> Path:
    """`root/.reviewloop`, which may not exist yet; exit 2 when something else is there (a
    file, a link to nothing): every command that reads or writes runs asks this first."""
    path = root / STATE_DIR
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise UserInputError(f"{STATE_DIR} is {_what(path)}, not reviewloop's state folder",
                             where=str(path), fix=f"move or remove {path}")
    if path.is_symlink() and _tracked(root):
        raise UserInputError(
            f"{STATE_DIR} is a link to {os.readlink(path)} that the repository tracks: "
            "reviewloop's state would be written where it points, outside the repository",
            where=str(path), fix=f"remove it from the repository (`git rm --cached "
            f"{STATE_DIR}`, then commit); a link you make yourself, untracked, is kept")
    return path


def _tracked(root: Path) -> bool:
    """Whether HEAD or the index of the repository at `root` holds `.reviewloop` itself."""
    git = GitCommand(root)
    status, out, _ = git.run(["git", "ls-files", "-z", "--with-tree=HEAD", "--",
                              f":(literal){STATE_DIR}"])
    if status != 0:  # no HEAD yet: the index alone
        status, out, _ = git.run(["git", "ls-files", "-z", "--", f":(literal){STATE_DIR}"])
    return status == 0 and STATE_DIR.encode() in out.split(b"\0")


def _what(path: Path) -> str:
    """What is there instead of a folder, as the user would look for it."""
    if path.is_symlink():
        target = os.readlink(path)
        return (f"a link to {target}, which does not exist" if not path.exists()
                else f"a link to {target}, a file")
    return "a file" if path.is_file() else "a special file (a fifo, a socket, a device)"


def read_only_state(root: Path) -> bool:
    """This user cannot write `state_folder` (or, while it is missing, the folder it would be
    made in): commands that only read open its files read-only (a read-only checkout);
    those that write stop at `writable_state`."""
    path = state_folder(root)
    return not os.access(path if path.is_dir() else root, os.W_OK | os.X_OK)


def writable_state(root: Path) -> Path:
    """`state_folder`, created when missing; exit 2 naming it when this user cannot write it
    (a read-only checkout, a chmod): before anything is written, not halfway through."""
    path = state_folder(root)
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        if write_refused(exc) is None:
            raise
        raise not_writable(exc, path) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise NotWritable("reviewloop's state folder is not writable by this user",
                          where=str(path), fix=NOT_WRITABLE_FIX)
    return path
