"""Folders made and removed however deep, with no recursion.

Python's `os.makedirs` calls itself once per missing parent and `shutil.rmtree` (3.11)
once per level: a change adding a file 1,000 folders deep (a 2 KB path git checks out)
made an export of it raise RecursionError, and left the half-removed export behind. These
walk a path's parts in a loop instead.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable


def make_folders(folder: str) -> None:
    """`os.makedirs(folder, exist_ok=True)`, a loop over the missing parents."""
    missing = []
    at = folder
    while at and not os.path.isdir(at):
        missing.append(at)
        parent = os.path.dirname(at)
        if parent == at:
            break
        at = parent
    for path in reversed(missing):
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path):
                raise


def remove_tree(top: str) -> None:
    """Remove the folder `top` and all under it (links are removed, never followed), a loop
    over the folders depth first; a path that is gone already is no error."""
    stack = [(top, False)]
    while stack:
        folder, emptied = stack.pop()
        if emptied:
            _quietly(os.rmdir, folder)
            continue
        stack.append((folder, True))
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            stack.pop()
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, False))
            else:
                _quietly(os.unlink, entry.path)


def _quietly(remove: Callable[[str], None], path: str) -> None:
    try:
        remove(path)
    except FileNotFoundError:
        pass
    except PermissionError:  # a read-only folder (a tool's): writable, then removed
        os.chmod(os.path.dirname(path) or ".", stat.S_IRWXU)
        remove(path)
