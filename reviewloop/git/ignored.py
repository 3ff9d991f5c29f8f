"""Whether a tree's ignore files (`.gitignore`, and ripgrep's `.ignore`, which ruff's walk
reads as well) ignore a path, as git itself answers: `git check-ignore --no-index` in a
scratch repository holding those files' texts at their folders (a tree at a commit need not
be checked out; only the files above the path can ignore it).

The user's own git settings are not read (no global or system config, no global excludes
file): what a repository ignores is what its files say, the same for every user and on CI.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from reviewloop.git.command import GitCommand

NAMES = (".gitignore", ".ignore")  # at one folder, the later one wins (ruff's order)
_QUIET = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def ignored(path: str, text: Callable[[str], str | None]) -> str | None:
    """The pattern that ignores the repository path `path` and its file (`'generated/' in
    .gitignore`; a folder's `.ignore` is read as part of its `.gitignore`), where
    `text(name)` reads the tree's files; None when none does."""
    folders = [posixpath.dirname(path)]
    while folders[-1]:
        folders.append(posixpath.dirname(folders[-1]))
    found = {}
    for folder in folders:
        said = [t for name in NAMES if (t := text(posixpath.join(folder, name))) is not None]
        if said:
            found[folder] = said
    return _check(path, tuple((folder, "\n".join(t.rstrip("\n") for t in texts) + "\n")
                              for folder, texts in found.items())) if found else None


@lru_cache(maxsize=1024)  # ruff's views ask the same of each renamed file
def _check(path: str, ignores: tuple[tuple[str, str], ...]) -> str | None:
    """`git check-ignore` of `path` in a scratch repository holding `ignores` (a folder and
    the text of its `.gitignore`)."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-ignored-") as scratch:
        root = Path(scratch)
        git = GitCommand(root)
        if git.run(["git", "init", "-q", "--template="], env=_QUIET)[0] != 0:
            return None
        for folder, text in ignores:
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / ".gitignore").write_text(text, encoding="utf-8",
                                                      errors="surrogateescape")
        status, out, _ = git.run(["git", "-c", f"core.excludesFile={os.devnull}",
                                  "check-ignore", "--no-index", "-v", "--", path], env=_QUIET)
    source, _, rest = out.decode("utf-8", "surrogateescape").partition("\t")[0].partition(":")
    pattern = rest.partition(":")[2]
    if status != 0 or not pattern or pattern.startswith("!"):
        return None
    return f"{pattern!r} in {source}"
