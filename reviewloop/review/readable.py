"""Which changed files may be read: the one rule, for the analyzers and for the models.

Analyzers read every changed text file: `unreadable_reason` is the one rule for what they
leave out (symlinks, anything outside the checkout, files over the size limit, binaries by
git's own test). `skipped_reason` adds what no model may read (sensitive files: analysed,
their content never in a prompt).

`Readability` asks the file system once per path and once per folder on the way, for a
caller asking about many files at once (a reviewer's scope, a round's chunks, the run
summary): resolving every file's path from `/` cost a dozen `lstat`s per file, each time
it was asked. It answers for the tree as it was when first asked, so it lives for one
batch of questions, never across rounds (a fix changes the tree).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.policy.sensitive import is_sensitive

MAX_ANALYZED_BYTES = MAX_FILE_BYTES  # the one limit (git.sizes): the diff shows no lines
_BINARY_PROBE = 8000  # git's own: a NUL byte in the first 8000 bytes makes a file binary
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
SENSITIVE_REASON = "may hold secrets: analysed, never sent to a model or committed"
SYMLINK_REASON = "a symlink: reviewed as a link, its target is never read"


class Readability:
    """The answers for the changed files under `root`, each computed once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()
        self._folders: dict[str, Path] = {".": self._real_root}
        self._answers: dict[str, tuple[bool, str | None]] = {}

    def unreadable(self, path: str) -> str | None:
        """Why nothing reads the content of the changed file `path` — no analyzer, no
        model — or None when it is a readable text file (or deleted)."""
        return self.check(path)[1]

    def readable(self, path: str) -> bool:
        """Whether `path` is there, as a text file an analyzer may read."""
        return self.check(path) == (True, None)

    def skipped(self, path: str, sensitive: Sequence[str] = ()) -> str | None:
        """Why the content of `path` may not reach a model reviewer, or None when it may
        (a deleted file has no content and no reason)."""
        if sensitive and is_sensitive(PurePosixPath(path), sensitive) \
                and not os.path.islink(self.root / path):  # a link is named as one
            return SENSITIVE_REASON
        return self.unreadable(path)

    def check(self, path: str) -> tuple[bool, str | None]:
        """(whether `path` is there, why it may not be read)."""
        if path not in self._answers:
            self._answers[path] = self._check(path)
        return self._answers[path]

    def _check(self, path: str) -> tuple[bool, str | None]:
        full = self.root / path
        try:
            info = full.lstat()
        except ValueError:  # a NUL in the name (a model may write one): no such file exists
            return False, None
        except OSError as exc:  # not there, as `Path.exists` reads it; anything else is raised
            if exc.errno in _NOT_THERE:
                return False, None
            raise
        if stat.S_ISLNK(info.st_mode):
            return True, SYMLINK_REASON
        if not self._real(path).is_relative_to(self._real_root):  # a folder on the way
            return True, "leads outside the repository"                # may be a link
        if not stat.S_ISREG(info.st_mode):
            return True, "not a regular file"
        if info.st_size > MAX_ANALYZED_BYTES:
            return True, (f"too large to analyze ({info.st_size:,} bytes; the limit is "
                          f"{MAX_ANALYZED_BYTES:,})")
        with full.open("rb") as fh:
            if b"\0" in fh.read(_BINARY_PROBE):
                return True, "a binary file"
        return True, None

    def _real(self, path: str) -> Path:
        """Where `path`, not a link itself, really is: its folder's real place and its
        name (`Path.resolve`'s answer, each folder resolved once)."""
        rel = PurePosixPath(path)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            return (self.root / path).resolve()
        return self._real_folder(str(rel.parent)) / rel.name

    def _real_folder(self, folder: str) -> Path:
        """Where the repo-relative `folder` really is: its parent's real place and its own
        name, unless it is a link, which is resolved in full."""
        if folder not in self._folders:
            rel, full = PurePosixPath(folder), self.root / folder
            self._folders[folder] = full.resolve() if os.path.islink(full) else \
                self._real_folder(str(rel.parent)) / rel.name
        return self._folders[folder]


def unreadable_reason(root: Path, path: str) -> str | None:
    """Why nothing reads the content of the changed file `path` (see `Readability`)."""
    return Readability(root).unreadable(path)


def skipped_reason(root: Path, path: str, sensitive: Sequence[str] = ()) -> str | None:
    """Why the content of the changed file `path` may not reach a model reviewer, or None
    when it may. Analyzers ask `unreadable_reason` instead: a sensitive file is analysed,
    only kept out of prompts."""
    return Readability(root).skipped(path, sensitive)


def skipped_files(root: Path, paths: Iterable[str], sensitive: Sequence[str] = ()) -> list[str]:
    """`path: reason` for every changed file whose content was not read."""
    files = Readability(root)
    return [f"{p}: {reason}" for p in sorted(set(paths))
            if (reason := files.skipped(p, sensitive)) is not None]
