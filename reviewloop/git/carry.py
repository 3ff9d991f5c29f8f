"""A run's work as git objects that travel to another clone: its worktree, its run folder
and the trees its checkpoint names, in one tree, packed against the commit the run started
from. A clone that has that commit unpacks them and rebuilds the run's worktree.

The composed tree holds `work/` (the worktree's non-ignored files, as a snapshot sees them),
`run/` (the run folder's files: task context, diffs, review material) and `keep-<n>/` (every
other tree the checkpoint refers to: baselines, the user's carried change). The pack holds
what of it, and of the worktree's HEAD (the run's commit once made), the base does not.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import ReviewloopError, UserInputError
from reviewloop.git import discarded, neutral, nofollow
from reviewloop.git.failures import failed
from reviewloop.git.repository import NO_TREE_CODE, Repository, open_repository
from reviewloop.git.worktrees import WORKTREES, RunTree, forget, free_branch, restore

WORK, RUN = "work", "run"
_FILE_MODES = ("100644", "100755")


class Packed(BaseModel):
    """A run's work as stored: the pack, and the ids that name what is in it."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built at first use (#41)

    base: str  # the commit the run started from: the receiving clone must have it
    head: str  # the worktree's HEAD when packed: `base`, or the run's commit
    tree: str  # the composed tree (work/, run/, keep-<n>/)
    pack: bytes


def compose(repo: Repository, work: str, run: str, keep: Iterable[str]) -> str:
    """The composed tree: `work` (the worktree's tree, `Repository.worktree_tree`), `run`
    (the run folder's, `folder_tree`) and each tree of `keep`."""
    lines = [f"040000 tree {work}\t{WORK}", f"040000 tree {run}\t{RUN}"]
    lines += [f"040000 tree {t}\tkeep-{n}" for n, t in enumerate(sorted(set(keep)))]
    return _run(repo, "mktree", "-z", data="".join(f"{line}\0" for line in lines)
                .encode("utf-8", "surrogateescape")).decode().strip()


def folder_files(folder: Path, skip: Collection[str] = ()) -> list[Path]:
    """The regular files under `folder` (none when it is missing) but those named in `skip`."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                  and p.relative_to(folder).as_posix() not in skip)


def folder_tree(repo: Repository, folder: Path, files: Iterable[Path]) -> str:
    """A tree of `files` (in `folder`), written into `repo`'s objects."""
    files = list(files)
    with tempfile.TemporaryDirectory(prefix="reviewloop-carry-") as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        if files:
            blobs = _run(repo, "hash-object", "-w", "--no-filters", "--stdin-paths",
                         data="".join(f"{p}\n" for p in files).encode(
                             "utf-8", "surrogateescape")).decode().split()
            info = "".join(f"{_mode(p)} {blob}\t{p.relative_to(folder).as_posix()}\0"
                           for p, blob in zip(files, blobs, strict=True))
            _run(repo, "update-index", "-z", "--add", "--index-info",
                 data=info.encode("utf-8", "surrogateescape"), env=env)
        return repo.git("write-tree", env=env).strip()


def pack(repo: Repository, tree: str, base: str) -> Packed:
    """The objects of `tree` and of the worktree's HEAD that `base` does not have."""
    head = repo.head_sha() or base
    revs = f"{tree}\n{head}\n^{base}\n".encode()
    data = _run(repo, "pack-objects", "--revs", "--stdout", "-q", data=revs)
    return Packed(base=base, head=head, tree=tree, pack=data)


def has_commit(checkout: Repository, sha: str) -> bool:
    return checkout.try_git("cat-file", "-e", f"{sha}^{{commit}}")[0] == 0


def unpack(checkout: Repository, packed: Packed) -> None:
    """Put the packed objects into the clone's object store (those it has are skipped);
    `--strict` refuses malformed objects."""
    try:
        _run(checkout, "unpack-objects", "-q", "--strict", data=packed.pack)
    except ReviewloopError as exc:
        raise nofollow.UnsafePath(f"the run's saved work was refused: {exc}",
                                  fix="the saved work is damaged or was tampered with; start "
                                      "the run again rather than resume it") from None


def moved_along(checkout: Repository, run_id: str, tree: RunTree) -> RunTree | None:
    """The run's worktree, when it moved with this checkout (`mv repo repo2`, a CI
    workspace at a new path): the stored folder is gone and `.reviewloop/worktrees/<run>`
    is here. git's links between the two, absolute paths, are mended (`git worktree
    repair`); the folder is the run's only when git then reads it as a worktree of this
    repository on the run's branch. None otherwise."""
    path = checkout.root / WORKTREES / run_id
    if Path(tree.path).is_dir() or not path.is_dir():
        return None
    checkout.try_git("worktree", "repair", str(path))
    try:
        found = open_repository(path)
    except ReviewloopError:  # not a repository at all: rebuilding there says so
        return None
    code, said, _ = found.try_git("rev-parse", "--show-toplevel", "--git-common-dir",
                                  "--symbolic-full-name", "HEAD")
    lines = said.removesuffix("\n").split("\n")  # paths: git ends a line at "\n" only
    if code != 0 or len(lines) != 3:
        return None
    top, common, head = lines
    ours = checkout.git("rev-parse", "--git-common-dir").strip()
    if os.path.realpath(top) != os.path.realpath(path) \
            or os.path.realpath(path / common) != os.path.realpath(checkout.root / ours) \
            or head != f"refs/heads/{tree.branch}":
        return None
    return tree.model_copy(update={"path": str(path)})


def looks_moved(root: Path, path: Path, branch: str) -> bool:
    """Whether the folder `path` looks like a worktree of the checkout at `root` on `branch`
    whose links a move broke, read without running or writing anything (`runs` lists; only
    `resume` mends them, `moved_along`): its `.git` file names the worktree record of
    `root`'s repository that names the folder back, both at the checkout's old place, and
    that record's HEAD is the branch."""
    try:
        link = (path / ".git").read_text(encoding="utf-8", errors="replace")
        linked = PurePosixPath(link.removeprefix("gitdir:").strip())
        record = root / ".git" / "worktrees" / linked.name
        head = (record / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        back = PurePosixPath((record / "gitdir").read_text(encoding="utf-8",
                                                            errors="replace").strip())
    except OSError:
        return False
    # the folder was <old>/.reviewloop/worktrees/<run>, its record <old>/.git/worktrees/<name>
    old = back.parents[3] if len(back.parents) > 3 else None
    return (link.startswith("gitdir:") and old is not None and back.parent.name == path.name
            and linked == old / ".git" / "worktrees" / linked.name
            and head == f"ref: refs/heads/{branch}")


def rebuild(checkout: Repository, run_id: str, tree: RunTree, packed: Packed) -> RunTree:
    """The run's worktree made again in this clone (`.reviewloop/worktrees/<run>`): at the
    packed HEAD, on the run's branch (or a free name when this clone uses it elsewhere),
    its files as packed; the branch it lands in made at the run's base when this clone has
    none of that name. Writes nothing outside that new folder but those branches."""
    path = checkout.root / WORKTREES / run_id
    path.parent.mkdir(parents=True, exist_ok=True)
    forget(checkout, path)  # the run's own folder, if it was deleted here
    if path.exists() or path.is_symlink():
        raise UserInputError(
            f"{path} is in the way: the run's worktree is rebuilt there, and it is not a "
            "worktree of this repository on the run's branch", where=run_id,
            fix=f"move it aside (it may hold work you want), then `reviewloop resume {run_id}`")
    at = checkout.try_git("rev-parse", "--verify", "--quiet", f"refs/heads/{tree.branch}")[1]
    if at.strip() != packed.head or checkout.try_git(
            "worktree", "add", "--quiet", str(path), tree.branch)[0] != 0:
        name = free_branch(checkout, tree.branch)
        checkout.git("worktree", "add", "--quiet", "-b", name, str(path), packed.head)
    else:
        name = tree.branch
    restore(open_repository(path), checkout.git("rev-parse", f"{packed.tree}:{WORK}").strip())
    if tree.target and checkout.try_git("rev-parse", "--verify", "--quiet",
                                        f"refs/heads/{tree.target}")[1] == "":
        # the branch it lands in was made where the run started (`run --branch`), at its base
        checkout.git("branch", tree.target, packed.base)
    return tree.model_copy(update={"path": str(path), "branch": name})


class PutBack(NamedTuple):
    """What `put_back` discarded: the paths it changed, and the ref keeping them as they were
    (None when nothing was discarded)."""

    paths: list[str]
    kept: str | None


def put_back(repo: Repository, packed: Packed, run_id: str, step: str) -> PutBack:
    """The run's worktree `repo` made what `packed` saved, as a rebuild in another clone
    makes it: HEAD at the saved HEAD, every non-ignored file as saved (what was written since
    put back, what was created since deleted). What it held is kept first, under
    `refs/reviewloop/discarded/<run>/<n>` (`git.discarded`): a hand edit made there is never
    lost. Nothing is kept, nor changed, when the worktree was as saved."""
    if not has_commit(repo, packed.head) or repo.try_git(
            "cat-file", "-e", f"{packed.tree}^{{tree}}")[0] != 0:
        unpack(repo, packed)  # objects pruned since they were saved
    saved = repo.git("rev-parse", f"{packed.tree}:{WORK}").strip()
    head, now = repo.head_sha(), repo.worktree_tree()
    if head == packed.head and now == saved:
        return PutBack([], None)
    kept = discarded.keep(repo, run_id, now, head, step)
    if head != packed.head:  # the interrupted step committed: its commit goes too (kept)
        repo.git("reset", "-q", packed.head)
    return PutBack(restore(repo, saved), kept)


def write_run_files(checkout: Repository, packed: Packed, run_dir: Path) -> list[str]:
    """The run folder's packed files written into `run_dir`; their names."""
    listing = checkout.git("ls-tree", "-r", "-z", "--full-tree", f"{packed.tree}:{RUN}")
    names = []
    for record in filter(None, listing.split("\0")):
        meta, _, name = record.partition("\t")
        mode, _, blob = meta.split()
        if mode not in _FILE_MODES:  # the run folder holds files only: no link to follow
            raise nofollow.UnsafePath(
                f"refused to write {name!r} into the run folder: mode {mode} is not a file",
                fix="the saved work is damaged or was tampered with; start the run again")
        data = checkout.git("cat-file", "blob", blob).encode("utf-8", "surrogateescape")
        nofollow.write_entry(run_dir, name, data, mode)
        names.append(name)
    return names


def _mode(path: Path) -> str:
    return "100755" if os.access(path, os.X_OK) else "100644"


def _run(repo: Repository, *args: str, data: bytes,
         env: dict[str, str] | None = None) -> bytes:
    """git with bytes in and out (packs, NUL-separated listings)."""
    done = subprocess.run(neutral.argv(["git", *NO_TREE_CODE, *args]), cwd=repo.root,
                          input=data, capture_output=True,
                          env=neutral.environment(os.environ, env), check=False)
    if done.returncode != 0:
        raise failed(f"git {args[0]}", repo.root, done.returncode,
                     done.stderr.decode(errors="replace"))
    return done.stdout
