"""Paths as the checks speak of them: repository-relative, and which of them are tests.

The gates, the analyzers and the coverage check all ask here, so they agree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePosixPath

from reviewloop.git.names import shown

_TEST_FILE = re.compile(
    r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$|"
    r"\.(test|spec)\.[cm]?[jt]sx?$")


# a relative name with nothing for Path to normalise: no empty, "." or ".." name, no end "/"
_PLAIN = re.compile(r"(?!\.{1,2}(?:/|$))[^/]+(?:/(?!\.{1,2}(?:/|$))[^/]+)*")


def looks_like_test(path: str) -> bool:
    """True for the usual test file names of pytest, go, jest/vitest and mocha projects."""
    return bool(_TEST_FILE.search(path))


def repo_path(root: Path, filename: str) -> str:
    """A tool's file name (absolute, or relative to `root`; a name that is not UTF-8 as
    `surrogateescape` decodes it) as a repo-relative posix path in text form
    (`reviewloop.git.names`)."""
    return shown(_relative(root, filename))


def _relative(root: Path, filename: str) -> str:
    prefix = f"{os.fspath(root).rstrip('/')}/"
    if filename.startswith("/") and filename.startswith(prefix) \
            and _PLAIN.fullmatch(filename, len(prefix)):
        return filename[len(prefix):]  # as the analyzer was given it: the answer below, fast
    path = Path(filename)
    if path.is_absolute():
        try:  # as the analyzer named it (under `root`): no file system call
            path = path.relative_to(root)
        except ValueError:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                return PurePosixPath(filename).as_posix()
    return PurePosixPath(path.as_posix().removeprefix("./")).as_posix()


def repo_paths(root: Path) -> Callable[[str], str]:
    """`repo_path` for one tool report: a file named by many findings is resolved once."""
    return cache(lambda filename: repo_path(root, filename))


def in_tree_file(path: Path, root: Path) -> Path | None:
    """The regular file `path` is: itself, or for a link the one it leads to when that is
    inside the tree at `root` (a file shared between folders, `locals.tf ->
    ../shared/locals.tf`); None for anything else — a link out of the tree, to a folder,
    to nothing — which is never followed."""
    try:
        if not path.is_symlink():
            return path if path.is_file() else None
    except OSError:  # a name no file system here holds (over 255 bytes a part): no file
        return None
    real = os.path.realpath(path)
    if not real.startswith(os.path.realpath(root).rstrip(os.sep) + os.sep) \
            or not os.path.isfile(real):
        return None
    return Path(real)
