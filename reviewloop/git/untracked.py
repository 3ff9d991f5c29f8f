"""Untracked paths a working-tree snapshot leaves out, and why: environments, caches, build
output and oversize files. Decided from directory listings and sizes only, so a stray
500 MB virtualenv costs nothing: it is never walked, read or hashed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from reviewloop.git.names import shown
from reviewloop.git.sizes import MAX_DIFFED_BYTES

# Larger untracked files are not snapshotted: no analyzer would read them.
MAX_UNTRACKED_BYTES = MAX_DIFFED_BYTES
# Untracked folders that hold installed or generated files, never a change to review.
_GENERATED_DIRS = {
    "node_modules": "installed npm packages", "__pycache__": "Python bytecode cache",
    "build": "build output", "dist": "build output", ".tox": "tox environments",
    ".nox": "nox environments", ".mypy_cache": "a tool's cache",
    ".pytest_cache": "a tool's cache", ".ruff_cache": "a tool's cache"}
_UNTRACKED = "untracked, left out of the review"
# build output's usual folder names that a package of source may have as well: it is one
# when it holds an `__init__.py` (setuptools' and hatch's build/ and dist/ never do)
_SOURCE_NAMES = frozenset({"build", "dist"})


class SkippedPath(BaseModel):
    """An untracked path left out of a working-tree snapshot (a folder ends with `/`)."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built at the first left out

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def untracked_reason(root: Path, path: str) -> str | None:
    """Why the untracked `path` (a folder when it ends with `/`) is left out, or None.
    Only the folder's own entries and the file's size are looked at."""
    full = root / path
    if path.endswith("/"):
        name = PurePosixPath(path).name
        if (full / "pyvenv.cfg").is_file():
            return f"a virtualenv (has pyvenv.cfg), {_UNTRACKED}"
        if (full / "conda-meta").is_dir():
            return f"a conda environment, {_UNTRACKED}"
        if os.path.lexists(full / ".git"):  # git adds none of its files, at most a link
            return f"a git repository of its own, {_UNTRACKED}"
        if name in _SOURCE_NAMES and (full / "__init__.py").is_file():
            return None  # a Python package called `build`: source, whatever its name
        if name in _GENERATED_DIRS or name.endswith(".egg-info"):
            return f"{_GENERATED_DIRS.get(name, 'packaging metadata')}, {_UNTRACKED}"
        return None
    try:
        size = os.lstat(full).st_size
    except OSError:
        return None
    if size > MAX_UNTRACKED_BYTES:
        return f"too large ({size:,} bytes; the limit is {MAX_UNTRACKED_BYTES:,}), {_UNTRACKED}"
    return None


def untracked_files(root: Path, ls_others: Callable[..., str]
                    ) -> tuple[list[str], list[SkippedPath]]:
    """(untracked files to snapshot, as on disk; paths left out, named in text form).
    `ls_others(*args)` is `git ls-files --others --exclude-standard -z *args`. Decided from
    directory listings and sizes only: a left-out directory is never walked, a left-out file
    never read."""
    kept, skipped, walk = [], [], []
    for entry in (e for e in ls_others("--directory").split("\0") if e):
        reason = untracked_reason(root, entry)
        if reason is not None:
            skipped.append(SkippedPath(path=shown(entry), reason=reason))
        elif entry.endswith("/"):
            walk.append(entry)
        else:
            kept.append(entry)
    if walk:  # new folders: their files, minus nested environments and large files
        inner = ls_others("--", *walk)
        more, left_out = prune(root, [p for p in inner.split("\0") if p], walk)
        kept += more
        skipped += left_out
    return sorted(kept), sorted(skipped, key=lambda s: s.path)


def prune(root: Path, files: list[str], tops: list[str]) -> tuple[list[str], list[SkippedPath]]:
    """Files under the new folders `tops`, minus those inside a folder below a top that
    `untracked_reason` leaves out (each folder judged once) and files over the size limit."""
    judged: dict[str, str | None] = {}
    kept, skipped = [], []
    for path in files:
        top = max((t for t in tops if path.startswith(t)), key=len, default="")
        parts = path[len(top):].split("/")
        folders = (top + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
        if any(_judged(root, folder, judged) for folder in folders):
            continue
        reason = untracked_reason(root, path)
        if reason is None:
            kept.append(path)
        else:
            skipped.append(SkippedPath(path=shown(path), reason=reason))
    skipped += [SkippedPath(path=shown(d), reason=r) for d, r in judged.items() if r is not None]
    return kept, skipped


def _judged(root: Path, folder: str, judged: dict[str, str | None]) -> bool:
    """Whether `folder` is left out, judging it on first sight."""
    if folder not in judged:
        judged[folder] = untracked_reason(root, folder)
    return judged[folder] is not None


def hidden_edits(try_git: Callable[..., tuple[int, str, str]], root: Path) -> list[SkippedPath]:
    """Tracked files whose edits git is told not to see (`update-index --assume-unchanged`
    or `--skip-worktree`: a local config kept out of commits) and that differ from the
    index: not reviewed, as git commits none of it, and named, so that nothing goes
    unreviewed unsaid. A sparse checkout's files, absent, are none of these."""
    entries = try_git("ls-files", "-v", "-s", "-z")[1].split("\0")
    flagged = {}  # path → (blob in the index, the flag's name)
    for entry in filter(None, entries):
        meta, _, path = entry.partition("\t")
        tag, _, blob, _ = meta.split(" ", 3)
        if (tag == "S" or tag.islower()) and os.path.isfile(root / path):
            flagged[path] = (blob, "skip-worktree" if tag == "S" else "assume-unchanged")
    if not flagged:
        return []
    paths = sorted(flagged)
    blobs = try_git("hash-object", "--", *paths)[1].split()
    return [SkippedPath(path=shown(p), reason=f"edited, but marked {flagged[p][1]} in the "
                        f"index: git sees none of its edits and neither does the review "
                        f"(git update-index --no-{flagged[p][1]} {p} shows them)")
            for p, blob in zip(paths, blobs, strict=True) if blob != flagged[p][0]]
