"""Where reviewloop keeps a repository's state, `.reviewloop/`: refused when it is not a folder
or cannot be written, or is a link the repository itself tracks, before any command reads or
writes it.

A link you make yourself (untracked: state kept on another disk) is a state folder. A link
the repository tracks came with its files (a pull request's head, a clone): `.reviewloop`
itself, or an entry of a tracked `.reviewloop/` folder (`runs.sqlite`, `worktrees`). It would
put the SQLite stores or the runs' worktrees wherever its author pointed it, so it is
refused. Only a link there asks git (once per command and index); a plain folder asks none,
and is walked once while none of its folders changes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from reviewloop.errors import (
    NOT_WRITABLE_FIX,
    NotWritable,
    StoreDamaged,
    UserInputError,
    not_writable,
    write_refused,
)
from reviewloop.git.command import GitCommand

STATE_DIR = ".reviewloop"


def not_a_file(path: Path, fix: str) -> None:
    """A store path that is there but not a file (a folder, a pipe, a socket) is a damaged
    store, never an empty one: exit 2 naming it, with `fix` (`runs --repair` moves it aside).
    Asked before SQLite connects, which would end in "unable to open database file"."""
    if path.exists() and not path.is_file():
        raise StoreDamaged(f"{path.name} is damaged: it is not a file", where=str(path),
                           fix=fix)


def state_folder(root: Path) -> Path:
    """`root/.reviewloop`, which may not exist yet; exit 2 when something else is there (a
    file, a link to nothing) or a link the repository tracks sends it elsewhere: every
    command that reads or writes asks this first."""
    path = root / STATE_DIR
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise UserInputError(f"{STATE_DIR} is {_what(path)}, not reviewloop's state folder",
                             where=str(path), fix=f"move or remove {path}")
    links = _links(path)
    if links and (tracked := sorted(n for n in links if n in _tracked(root, links))):
        name = tracked[0]
        raise UserInputError(
            f"{name} is a link to {links[name]} that the repository tracks: reviewloop's "
            f"state would be written where it points ({_where(root, root / name)}); "
            "nothing was written",
            where=str(root / name), fix=f"remove it from the repository (`git rm --cached "
            f"{name}`, then commit); a link you make yourself, untracked, keeps the state "
            "where it points (`note` and `handoff` excepted: they never write through a link)")
    return path


# the folder whose entries are runs' worktrees: each is checked for a link, not walked
_RUN_WORKTREES = f"{STATE_DIR}/worktrees"


def _links(path: Path) -> dict[str, str]:
    """The links that would send the state elsewhere, by repository path: `.reviewloop`
    itself, or any link at any depth of the folder (its stores, `worktrees`, a bench's
    folder); none for a plain folder of files — the common case costs a walk of the
    folder's directories and no git process. A run's worktree is a checkout git wrote:
    its own entries are the run's files, not the state's, and are not walked. The layers of
    one command ask again: the walk is remembered (`_remembered`)."""
    if path.is_symlink():
        return {STATE_DIR: os.readlink(path)}
    if (known := _remembered(path)) is not None:
        return known
    found: dict[str, str] = {}
    walked: list[tuple[str, tuple[int, int, int] | None]] = []
    folders = [(path, STATE_DIR)]
    while folders:
        folder, name = folders.pop()
        walked.append((str(folder), _stamp(folder)))
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    inner = f"{name}/{entry.name}"
                    if entry.is_symlink():
                        found[inner] = os.readlink(entry.path)
                    elif entry.is_dir() and name != _RUN_WORKTREES:
                        folders.append((Path(entry.path), inner))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
    if not any(_settling(stamp) for _, stamp in walked):
        _WALKS[str(path)] = (tuple(walked), dict(found))
    return found


# what `_links` found, by the state folder: each folder it walked with its stamp when walked,
# and the links. Adding, removing or renaming an entry changes its folder's modification
# time, so the walk is trusted while every stamp is the same, and done again when one is not
_WALKS: dict[str, tuple[tuple[tuple[str, tuple[int, int, int] | None], ...],
                        dict[str, str]]] = {}
# a folder changed this recently may change again within its clock's tick (a file system
# that keeps whole seconds, or two): its stamp would not show it, so that walk is not kept
_SETTLING_NS = 3_000_000_000


def _remembered(path: Path) -> dict[str, str] | None:
    """The links the last walk of `path` found, when no folder it walked changed since."""
    walk = _WALKS.get(str(path))
    if walk is None or any(_stamp(Path(folder)) != stamp for folder, stamp in walk[0]):
        return None
    return dict(walk[1])


def _stamp(folder: Path) -> tuple[int, int, int] | None:
    """A folder's inode, modification and change times (not following a link), or None."""
    try:
        stat = folder.lstat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns


def _settling(stamp: tuple[int, int, int] | None) -> bool:
    """An entry of the folder was added, removed or renamed moments ago (its mtime)."""
    return stamp is not None and time.time_ns() - stamp[1] < _SETTLING_NS


# what `_tracked` found, by the repository, the links and the index asked about: the layers
# of one command (registry, records, store, cleanup) ask again, git runs once
_TRACKED: dict[tuple[str, tuple[tuple[str, str], ...], tuple[int, int] | None],
               frozenset[str]] = {}


def _tracked(root: Path, links: dict[str, str]) -> frozenset[str]:
    """The paths at or under `.reviewloop` that HEAD or the index of the repository at
    `root` holds."""
    key = (str(root), tuple(sorted(links.items())), _index_stamp(root))
    if key not in _TRACKED:
        git = GitCommand(root)
        spec = f":(literal){STATE_DIR}"
        status, out, _ = git.run(["git", "ls-files", "-z", "--with-tree=HEAD", "--", spec])
        if status != 0:  # no HEAD yet: the index alone
            status, out, _ = git.run(["git", "ls-files", "-z", "--", spec])
        names = out.decode("utf-8", "surrogateescape").split("\0") if status == 0 else []
        _TRACKED[key] = frozenset(n for n in names if n)
    return _TRACKED[key]


def _index_stamp(root: Path) -> tuple[int, int] | None:
    """When the repository's index last changed (a commit or `git add` rewrites it), so a
    link tracked since is asked about again; None when no index is found."""
    dotgit = root / ".git"
    try:
        if dotgit.is_file():  # a linked worktree: `gitdir: <its folder>`
            text = dotgit.read_text(encoding="utf-8").strip()
            dotgit = (root / text.removeprefix("gitdir:").strip()).resolve()
        stat = (dotgit / "index").stat()
    except (OSError, UnicodeDecodeError):
        return None
    return stat.st_mtime_ns, stat.st_size


def _where(root: Path, link: Path) -> str:
    """Where a link leads, said as the user checks it: inside the repository or outside."""
    inside = os.path.realpath(link).startswith(os.path.realpath(root).rstrip(os.sep) + os.sep)
    return "inside the repository, a place its author chose" if inside \
        else "outside the repository"


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
