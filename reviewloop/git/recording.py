"""Staging a working tree into a throw-away index, whatever the tree's attributes convert.

`git add` converts a file a `working-tree-encoding` attribute names (a `.gitattributes`
of the reviewed tree: `*.py working-tree-encoding=UTF-16`) into UTF-8, and refuses one
whose bytes are not in that encoding (a UTF-16 file without its byte-order mark, a UTF-8
file): the whole snapshot failed, and the review with it. A repository's own attributes
must not stop its review, so when `git add` refuses, the files such an attribute names
are recorded as they are on disk (`hash-object --no-filters`), the others as git adds
them: the review reads the very bytes the analyzers read, and a file in UTF-16 is
decoded for its diff (`git.plaindiff`). Git's conversion is only tried first: a tree
with no such attribute costs nothing more.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from reviewloop.errors import ReviewloopError, UserInputError

TryGit = Callable[..., tuple[int, str, str]]  # `Repository.try_git`
_ATTRIBUTE = "working-tree-encoding"


def stage_all(try_git: TryGit, root: Path, untracked: Callable[[], Sequence[str]],
              env: Mapping[str, str]) -> None:
    """Stage every tracked file (deletions included) into the index `env` names, then the
    untracked files `untracked()` lists against it (as on disk): against the index before
    the update, git lists no file in a folder that took a tracked file's place."""
    stage_tracked(try_git, root, env)
    if not (files := untracked()):
        return
    listing = Path(env["GIT_INDEX_FILE"]).with_name("untracked")

    def add(skip: set[str]) -> tuple[int, str]:
        kept = [p for p in files if p not in skip]
        listing.write_bytes("\0".join(kept).encode("utf-8", "surrogateescape"))
        # --sparse: a new file outside a sparse checkout's cone is the change's all the same
        status, _, err = try_git("add", "--sparse", f"--pathspec-from-file={listing}",
                                 "--pathspec-file-nul", env=env) if kept else (0, "", "")
        return status, err

    _staged(try_git, root, env, add, files)


def stage_tracked(try_git: TryGit, root: Path, env: Mapping[str, str]) -> None:
    """Stage every tracked file as the working tree has it (deletions included)."""
    def add(skip: set[str]) -> tuple[int, str]:
        # no pathspec unless some file is left out: with one, git refuses the whole update
        # when the index holds a skip-worktree entry (a sparse checkout's, or a file marked so)
        excluded = [".", *(f":(exclude,literal){p}" for p in sorted(skip))] if skip else []
        status, _, err = try_git("add", "--update", "--", *excluded, env=env,
                                 literal=not skip)
        return status, err

    _staged(try_git, root, env, add, ())


def _staged(try_git: TryGit, root: Path, env: Mapping[str, str],
            add: Callable[[set[str]], tuple[int, str]], untracked: Sequence[str]) -> None:
    """`add(skip)` with nothing skipped; when git refuses, again without the files a
    `working-tree-encoding` attribute names, those then recorded as they are on disk."""
    status, err = add(set())
    if status == 0:
        return
    raw = _converted(try_git, root, untracked, env)
    if not raw:
        raise _refused(root, status, err)
    status, err = add(raw)
    if status == 0:
        status, _, err = try_git("update-index", "--add", *_cache_info(try_git, root, raw),
                                 env=env)
    if status != 0:
        raise _refused(root, status, f"{err.strip()} (also with the files {_ATTRIBUTE} "
                                     "names left as they are)")


def _refused(root: Path, status: int, err: str) -> UserInputError:
    """`git add` of the working tree failed: what git says is the user's setup to fix (a
    filter.<name> whose program is not installed, such as git-lfs; a required filter that
    fails), since the settings that only refuse (core.safecrlf) are pinned off."""
    return UserInputError(
        f"git cannot record the working tree as `git add` would (exit {status}): "
        f"{err.strip()}", where=str(root),
        fix="make `git add` of these files work here: install the program a filter.<name> "
            "setting runs (git-lfs for filter=lfs), or unset that filter's configuration "
            "(git config --global --remove-section filter.<name>)")


def _converted(try_git: TryGit, root: Path, untracked: Sequence[str],
               env: Mapping[str, str]) -> set[str]:
    """The changed regular files (tracked or `untracked`) a `working-tree-encoding`
    attribute names."""
    _, out, _ = try_git("ls-files", "-z", "--modified", env=env)
    paths = sorted({*(p for p in out.split("\0") if p), *untracked})
    if not paths:
        return set()
    _, out, _ = try_git("check-attr", "-z", _ATTRIBUTE, "--", *paths, env=env)
    fields = out.split("\0")
    named = {fields[n] for n in range(0, len(fields) - 2, 3)
             if fields[n + 2] not in ("unspecified", "unset", "")}
    return {p for p in named if _regular(root / p)}


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _cache_info(try_git: TryGit, root: Path, paths: set[str]) -> list[str]:
    """`--cacheinfo mode,blob,path` for each of `paths`, its bytes written as they are."""
    ordered = sorted(paths)
    status, out, err = try_git("hash-object", "-w", "--no-filters", "--", *ordered)
    if status != 0:
        raise ReviewloopError(f"`git hash-object` failed in {root}: {err.strip()}")
    info = []
    for path, blob in zip(ordered, out.split(), strict=True):
        mode = "100755" if os.lstat(root / path).st_mode & 0o111 else "100644"
        info += ["--cacheinfo", f"{mode},{blob},{path}"]
    return info
