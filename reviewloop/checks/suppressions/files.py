"""Reading a repository file as the trusted side has it: the reviewed tree's copy when the
untrusted change did not touch it, else the base's (from git, never the tree)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path

from reviewloop.git.commit_files import CommitFiles
from reviewloop.git.names import folder_of, under_text
from reviewloop.git.reads import lstat, read_bytes, read_text
from reviewloop.git.repository import Repository
from reviewloop.policy.trust import Trust

MAX_BYTES = 2_000_000  # a suppression file or a source file larger than this is not read


def tree_text(root: str | Path, path: str, inside: Callable[[str], bool] | None = None,
              *, newlines: bool = True) -> str | None:
    """The text of the regular file `path` in the tree at `root`; None when it is missing,
    a symlink, outside the tree or too large. `inside(folder)` says whether a folder really
    is in the tree (a caller reading many files resolves each folder once). Names as
    strings: a 5,000-file change made five Paths a file here. `newlines`: CRLF and a lone
    CR read as LF (as `open` reads text), else the bytes' own line ends."""
    full = under_text(root, path)  # `under`'s file, as a string
    try:
        info = lstat(root, full)  # a symlink is not a regular file here: never followed
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        if not (inside or partial(_inside, root))(folder_of(full)):
            return None  # a folder on the way leads out
        if not newlines:
            return read_bytes(root, full).decode("utf-8", "replace")
        return read_text(root, full, "replace")  # in a review, shared (`git.reads`)
    except (OSError, ValueError):  # ValueError: a NUL in the path (a model may name one)
        return None


def _inside(root: str | Path, folder: str) -> bool:
    return Path(folder).resolve().is_relative_to(Path(root).resolve())


@dataclass
class TrustedFiles:
    """The files of one review: the tree's lines as reviewed, and suppression files as the
    trusted side has them."""

    repo: Repository
    root: Path
    trust: Trust
    _lines: dict[str, list[str]] = field(default_factory=dict)
    _folders: dict[str, bool] = field(default_factory=dict)  # folder: inside the tree
    _real_root: Path | None = None

    @cached_property
    def _text_root(self) -> str:
        """`root` as text, for the file names made and read of every changed file (a `Path`
        is turned into one again at each `os.fspath`)."""
        return os.fspath(self.root)

    def trusted_text(self, path: str) -> str | None:
        """`path` as the trusted side has it (None: it has no such file)."""
        if self.trust.file(path):
            return tree_text(self._text_root, path, self._inside)
        if self.trust.base is None:
            return None
        return self.base_copies.read(path)

    @cached_property
    def base_copies(self) -> CommitFiles:
        """The base's files (`trust.base`, which must be set), each read from git once, the
        ones a step expects to ask together (`CommitFiles.want`)."""
        assert self.trust.base is not None
        return CommitFiles(self.repo, self.trust.base)

    def want_bases(self, paths: Iterable[str]) -> None:
        """The base's copies of the touched files among `paths` (reviewed names) will be
        read: together, with the first of them."""
        trust = self.trust
        if trust.base is not None:
            self.base_copies.want(trust.base_path(p) for p in paths if not trust.file(p))

    def lines(self, path: str) -> list[str]:
        """The reviewed tree's lines of `path` as git numbers them (`git_lines`: a lone CR
        stays inside its line, as in the base's copy and the findings), read once."""
        if path not in self._lines:
            text = tree_text(self._text_root, path, self._inside, newlines=False)
            self._lines[path] = git_lines(text or "")
        return self._lines[path]

    def _inside(self, folder: str) -> bool:
        if folder not in self._folders:
            if self._real_root is None:
                self._real_root = self.root.resolve()
            self._folders[folder] = Path(folder).resolve().is_relative_to(self._real_root)
        return self._folders[folder]


def git_lines(text: str) -> list[str]:
    """`text`'s lines as git numbers them (and so the diff, and every tool): split at "\n"
    only, a CRLF's "\r" dropped — not `str.splitlines`, which also splits at a form feed or
    U+2028 and would put a marker on another line than the tool's finding."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines] if "\r" in text else lines
