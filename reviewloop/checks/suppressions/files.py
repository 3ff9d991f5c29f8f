"""Reading a repository file as the trusted side has it: the reviewed tree's copy when the
untrusted change did not touch it, else the base's (from git, never the tree)."""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.git.names import under
from reviewloop.git.provenance import read_at
from reviewloop.git.repository import Repository
from reviewloop.policy.trust import Trust

MAX_BYTES = 2_000_000  # a suppression file or a source file larger than this is not read


def tree_text(root: Path, path: str, real_folder: Callable[[Path], Path] | None = None
              ) -> str | None:
    """The text of the regular file `path` in the tree at `root`; None when it is missing,
    a symlink, outside the tree or too large. `real_folder` says where a folder really is
    (a caller reading many files resolves each folder once)."""
    full = under(root, path)
    try:
        info = full.lstat()  # a symlink is not a regular file here: it is never followed
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        real = (real_folder or Path.resolve)(full.parent) / full.name
        if not real.is_relative_to((real_folder or Path.resolve)(root)):
            return None  # a folder on the way leads out
        return full.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):  # ValueError: a NUL in the path (a model may name one)
        return None


@dataclass
class TrustedFiles:
    """The files of one review: the tree's lines as reviewed, and suppression files as the
    trusted side has them."""

    repo: Repository
    root: Path
    trust: Trust
    _lines: dict[str, list[str]] = field(default_factory=dict)
    _folders: dict[Path, Path] = field(default_factory=dict)

    def trusted_text(self, path: str) -> str | None:
        """`path` as the trusted side has it (None: it has no such file)."""
        if self.trust.file(path):
            return tree_text(self.root, path, self._real_folder)
        if self.trust.base is None:
            return None
        return read_at(self.repo, self.trust.base, path)

    def lines(self, path: str) -> list[str]:
        """The reviewed tree's lines of `path` (without line ends), read once."""
        if path not in self._lines:
            text = tree_text(self.root, path, self._real_folder)
            self._lines[path] = git_lines(text or "")
        return self._lines[path]

    def _real_folder(self, folder: Path) -> Path:
        if folder not in self._folders:
            self._folders[folder] = folder.resolve()
        return self._folders[folder]


def git_lines(text: str) -> list[str]:
    """`text`'s lines as git numbers them (and so the diff, and every tool): split at "\n"
    only, a CRLF's "\r" dropped — not `str.splitlines`, which also splits at a form feed or
    U+2028 and would put a marker on another line than the tool's finding."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]
