"""The user's own git hooks: where git looks for them, and a trusted copy of one to run.

reviewloop's git never runs a hook (`NO_TREE_CODE`); the user's pre-commit hook still
judges a run's change, sandboxed, through `reviewloop.checks.gates.hooks`, from the copy
made here. The copy is the user's, never the run's: a hooks folder inside the tree
(`core.hooksPath = .githooks`, `.husky/_`) comes from the base commit, plus the files of
that folder the base does not track (husky's generated `_`) from the user's own checkout,
which a run never writes; any other folder (`.git/hooks`, `~/.githooks`) is the user's own.
"""

from __future__ import annotations

import os
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path

from reviewloop.git.repository import Repository

_COMMAND_SCOPE = "command"  # our own `-c core.hooksPath=/dev/null` (NO_TREE_CODE)
_MAX_FILES = 500  # a hooks folder holds a few scripts; more is a misconfiguration


@dataclass(frozen=True)
class HooksFolder:
    """Where git looks for the user's hooks. `in_tree`: the folder relative to the working
    tree when it lies inside it (a relative core.hooksPath), else None."""

    path: Path
    in_tree: str | None
    setting: str  # how it is configured, for messages
    scope: str = "local"  # the config file that sets it: git's scope name (global, system, …)

    @property
    def shared(self) -> bool:
        """Set for every repository of the user (or the machine), not this one's own."""
        return self.scope in ("global", "system")


def hooks_folder(repo: Repository) -> HooksFolder:
    """The hooks folder the user's own config names (not reviewloop's override)."""
    status, out, _ = repo.try_git("config", "--show-scope", "--get-all", "core.hooksPath")
    values = [(scope, value) for scope, sep, value in
              (line.partition("\t") for line in out.split("\n"))  # a path: "\n" ends it
              if sep and scope != _COMMAND_SCOPE] if status == 0 else []
    if not values:
        return HooksFolder(common_dir(repo) / "hooks", None, ".git/hooks")
    scope, value = values[-1]
    configured = os.path.expanduser(value)
    setting = f"core.hooksPath = {value}"
    if os.path.isabs(configured):
        return HooksFolder(Path(configured), None, setting, scope)
    rel = posixpath.normpath(Path(configured).as_posix())
    if rel.startswith("../") or rel == "..":  # beside the checkout: the user's own folder
        return HooksFolder((user_checkout(repo) or repo.root) / configured, None, setting,
                           scope)
    return HooksFolder(repo.root / rel, rel, setting, scope)


def common_dir(repo: Repository) -> Path:
    """The repository's shared git folder (the main `.git`, also from a linked worktree)."""
    out = repo.git("rev-parse", "--path-format=absolute", "--git-common-dir").strip()
    return Path(out)


def user_checkout(repo: Repository) -> Path | None:
    """The main working tree `repo` (maybe a run's worktree) belongs to; None when bare."""
    common = common_dir(repo)
    return common.parent if common.name == ".git" else None


def trusted_hook(repo: Repository, name: str, dest: Path) -> Path | None:
    """Copy the user's hooks folder into `dest` and return the copy of hook `name`, or None
    when the user has none git would run (missing or not executable). A folder in the tree
    is taken from `repo`'s HEAD (a run's worktree: its base commit), never its files."""
    folder = hooks_folder(repo)
    if folder.in_tree is None:
        _copy_files(folder.path, dest / "hooks")
        hook = dest / "hooks" / name
    else:
        _export_tree_folder(repo, folder.in_tree, dest)
        hook = dest / folder.in_tree / name
    return hook if hook.is_file() and os.access(hook, os.X_OK) else None


def _export_tree_folder(repo: Repository, rel: str, dest: Path) -> None:
    """The in-tree hooks folder `rel` as HEAD has it, in `dest` at the same relative path.
    When HEAD does not track `rel` (a generated dispatcher such as husky's `.husky/_`), the
    files of its nearest tracked parent come instead: the dispatcher runs the scripts there."""
    top, recurse = rel, rel != "."
    while not _tracks(repo, top) and "/" in top:
        top, recurse = posixpath.dirname(top), False
    for path, (mode, blob) in _tree_files(repo, top, recurse=recurse).items():
        _put(dest / path, _blob(repo, blob), executable=mode == "100755")
    checkout = user_checkout(repo)
    if rel != "." and checkout is not None and checkout.resolve() != repo.root.resolve():
        # what the tree does not track comes only from a checkout the run never writes
        _copy_files(checkout / rel, dest / rel, keep=True)


def _copy_files(source: Path, dest: Path, *, keep: bool = False) -> None:
    """The files under `source` into `dest` (symlinks copied as what they point at; at most
    `_MAX_FILES`, nested git folders left out); `keep`: files already in `dest` stay."""
    copied = 0
    for folder, dirs, names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            src, target = Path(folder) / name, dest / Path(folder).relative_to(source) / name
            if copied >= _MAX_FILES or not src.is_file() or (keep and target.exists()):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            copied += 1


def _tracks(repo: Repository, folder: str) -> bool:
    return bool(repo.git("ls-tree", "--full-tree", "--name-only", "HEAD", "--",
                         f"{folder}/").strip())


def _tree_files(repo: Repository, folder: str, *, recurse: bool
                ) -> dict[str, tuple[str, str]]:
    """{path: (mode, blob)} of the files in `folder` at HEAD (and its subfolders' with
    `recurse`); a tracked symlink to another tracked file stands for that file (git would
    run its target)."""
    depth = ("-r",) if recurse else ()
    out = repo.git("ls-tree", *depth, "-z", "--full-tree", "HEAD", "--", f"{folder}/")
    files: dict[str, tuple[str, str]] = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, kind, blob = meta.split()
        if mode == "120000":
            link = _blob(repo, blob).decode("utf-8", "surrogateescape")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), link))
            found = _tree_entry(repo, target) if not os.path.isabs(link) else None
            if found is not None:
                files[path] = found
        elif kind == "blob":
            files[path] = (mode, blob)
    return files


def _tree_entry(repo: Repository, path: str) -> tuple[str, str] | None:
    if path.startswith("../"):
        return None
    out = repo.git("ls-tree", "-z", "--full-tree", "HEAD", "--", path)
    meta, _, _ = out.rstrip("\0").partition("\t")
    parts = meta.split()
    return (parts[0], parts[2]) if len(parts) == 3 and parts[0] in ("100644", "100755") else None


def _blob(repo: Repository, blob: str) -> bytes:
    return repo.git("cat-file", "blob", blob).encode("utf-8", "surrogateescape")


def _put(path: Path, data: bytes, *, executable: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o755 if executable else 0o644)
