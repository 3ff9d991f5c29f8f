"""Untracked folders a working-tree snapshot leaves out, and why: environments, caches and
build output. Decided from directory listings and the environment's own marker file (a few
bytes read), so a stray 500 MB virtualenv costs nothing: it is never walked, read or hashed.

A marker counts only as the tool writes it (a virtualenv's `pyvenv.cfg` names its `home`,
a conda environment's `conda-meta/` holds its `history`, a repository's `.git` is a git
directory or a `gitdir:` link to one, as git itself judges): an empty file of that name in a
folder of sources leaves nothing out. Every untracked file is kept, whatever its size: one over the
analyzers' ceiling is in the change, where the coverage matrix names it not analysed and
the verdict counts it, as it does for the same file staged (`review.matrix`)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from reviewloop.git.names import shown

# Of a marker file, the most read: a real one is a few lines.
_MARKER_BYTES = 4096
# a detached HEAD: a commit id's 40 hex digits first, as git reads it (`get_oid_hex_any`)
_COMMIT_ID = re.compile(r"[0-9a-fA-F]{40}")
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
    """Why the untracked folder `path` (ending with `/`) is left out, or None; a file
    (no `/` at the end) is never left out. Only the folder's own entries and its marker
    file's first bytes are looked at."""
    if not path.endswith("/"):
        return None
    full = root / path
    name = PurePosixPath(path).name
    if _venv_marker(full / "pyvenv.cfg"):
        return f"a virtualenv (has pyvenv.cfg), {_UNTRACKED}"
    if (full / "conda-meta" / "history").is_file():
        return f"a conda environment, {_UNTRACKED}"
    if _repository_marker(full / ".git"):
        return f"a git repository of its own, {_UNTRACKED}"
    if name in _SOURCE_NAMES and (full / "__init__.py").is_file():
        return None  # a Python package called `build`: source, whatever its name
    if name in _GENERATED_DIRS or name.endswith(".egg-info"):
        return f"{_GENERATED_DIRS.get(name, 'packaging metadata')}, {_UNTRACKED}"
    return None


def _venv_marker(cfg: Path) -> bool:
    """Whether `cfg` is a virtualenv's `pyvenv.cfg`: a regular file with a `home = …` line
    (venv, virtualenv and uv all write one; Python itself needs it to start)."""
    text = _start(cfg)
    return text is not None and any(
        key.strip() == "home" for key, sep, _ in (line.partition("=")
                                                  for line in text.splitlines()) if sep)


def _repository_marker(dot_git: Path) -> bool:
    """Whether `dot_git` makes its folder a repository of its own, by git's own rules
    (`is_nonbare_repository_dir`: what `git status` and `git add -A` do not descend into): a
    `.git` folder that is a git directory, or a `.git` file whose `gitdir: …` names one (a
    worktree, a submodule). A `.git` file linking to nothing (a submodule's folder copied
    from another checkout) or a folder holding only `HEAD` is no repository to git, whose
    files it lists and commits: neither leaves the folder out."""
    if dot_git.is_dir():
        return _git_directory(dot_git)
    text = _start(dot_git)
    if text is None or not text.startswith("gitdir: "):
        return False
    linked = Path(text.removeprefix("gitdir: ").rstrip())
    return _git_directory(linked if linked.is_absolute() else dot_git.parent / linked)


def _git_directory(folder: Path) -> bool:
    """Git's `is_git_directory`: a valid `HEAD` (a link into `refs/`, `ref: refs/…`, or a
    commit id) and, in its common folder (`commondir`, a worktree's), `objects/` and
    `refs/` it may enter."""
    head = folder / "HEAD"
    if os.path.islink(head):
        if not os.readlink(head).startswith("refs/"):
            return False
    elif (said := _start(head)) is None or not _valid_head(said):
        return False
    common = _start(folder / "commondir")
    if common is not None and common.strip():
        shared = Path(common.rstrip("\n"))
        folder = shared if shared.is_absolute() else folder / shared
    return all(os.access(folder / name, os.X_OK) for name in ("objects", "refs"))


def _valid_head(text: str) -> bool:
    """Whether `text` is a `HEAD` file git accepts: `ref: refs/…` or a commit id."""
    if text.startswith("ref:"):
        return text[4:].lstrip().startswith("refs/")
    return _COMMIT_ID.match(text) is not None


def _start(path: Path) -> str | None:
    """The first bytes of the regular file `path` as text, or None (no such file, a link,
    a folder, unreadable)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with path.open("rb") as handle:
            return handle.read(_MARKER_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def untracked_files(root: Path, ls_others: Callable[..., str]
                    ) -> tuple[list[str], list[SkippedPath]]:
    """(untracked files to snapshot, as on disk; paths left out, named in text form).
    `ls_others(*args)` is `git ls-files --others --exclude-standard -z *args`. Decided from
    directory listings and marker files only: a left-out directory is never walked."""
    kept, skipped, walk = [], [], []
    for entry in (e for e in ls_others("--directory").split("\0") if e):
        reason = untracked_reason(root, entry)
        if reason is not None:
            skipped.append(SkippedPath(path=shown(entry), reason=reason))
        elif entry.endswith("/"):
            walk.append(entry)
        else:
            kept.append(entry)
    if walk:  # new folders: their files, minus nested environments
        inner = ls_others("--", *walk)
        more, left_out = prune(root, [p for p in inner.split("\0") if p], walk)
        kept += more
        skipped += left_out
    return sorted(kept), sorted(skipped, key=lambda s: s.path)


def prune(root: Path, files: list[str], tops: list[str]) -> tuple[list[str], list[SkippedPath]]:
    """Files under the new folders `tops`, minus those inside a folder below a top that
    `untracked_reason` leaves out (each folder judged once)."""
    judged: dict[str, str | None] = {}
    kept = []
    for path in files:
        top = max((t for t in tops if path.startswith(t)), key=len, default="")
        parts = path[len(top):].split("/")
        folders = (top + "/".join(parts[:n]) + "/" for n in range(1, len(parts)))
        if not any(_judged(root, folder, judged) for folder in folders):
            kept.append(path)
    return kept, [SkippedPath(path=shown(d), reason=r) for d, r in judged.items() if r is not None]


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
