"""Run worktrees: every run in its own `git worktree` and branch, and landing its commit in
the user's checkout without touching anything else there.

A run starts from the user's HEAD in `.reviewloop/worktrees/<run>` on its own branch. Its
commit lands through a `LandPlan`: the user's branch moves (fast-forward, or the commit
replayed on top when the branch moved meanwhile), then exactly the landed paths are brought
up to date in the user's index and files — each only while it still holds the old version,
so applying a plan twice (a resume after a crash) repairs and never harms.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import BlockingOutcome, ReviewloopError, UserInputError
from reviewloop.git import nofollow
from reviewloop.git.names import on_disk, shown
from reviewloop.git.repository import Repository, open_repository

WORKTREES = ".reviewloop/worktrees"
Entry = tuple[str, str]  # (mode, blob id) of one path in a tree or the index


class RunTree(BaseModel):
    """Where one run works: its worktree folder, its branch and what it started from."""

    model_config = ConfigDict(frozen=True)

    path: str
    branch: str
    base: str  # the user's HEAD when the run started
    target: str | None  # the user's branch the commit lands in; None on a detached HEAD
    carried: tuple[str, ...] = ()  # the user's uncommitted paths copied in (manual runs)
    carried_tree: str | None = None  # ... and the user's working tree they came from

    @property
    def started_in(self) -> Path:
        """The checkout the worktree was made in (`<checkout>/.reviewloop/worktrees/<run>`),
        perhaps another clone's or another machine's."""
        return Path(self.path).parents[2]


class LandPlan(BaseModel):
    """Moving the user's branch from `old` to `new`; `paths` are the files that differ.

    `carried` is the user's working tree a manual run started from: a file still as it was
    then is the user's change the run took over, and gets the reviewed version too."""

    model_config = ConfigDict(frozen=True)

    branch: str
    old: str
    new: str
    paths: tuple[str, ...]  # in text form (`names.shown`): a plan is stored
    carried: str | None = None

    @property
    def disk_paths(self) -> tuple[str, ...]:
        """`paths` as git and the file system take them."""
        return tuple(map(on_disk, self.paths))


def branch_name(template: str, task_id: str) -> str:
    slug = "-".join(p for p in "".join(c if c.isalnum() or c in "._" else "-"
                                       for c in task_id).split("-") if p) or "task"
    return template.replace("{task}", slug)


def create(checkout: Repository, run_id: str, branch: str, *, carry: bool) -> RunTree:
    """A new worktree at the user's HEAD on a new branch (`branch`, or `branch-2`, … when
    taken); with `carry`, the user's uncommitted files (staged, unstaged, untracked) too."""
    base = checkout.head_sha()
    if base is None:
        raise UserInputError("the repository has no commit yet", where=str(checkout.root),
                             fix="commit once (git commit --allow-empty -m start), then run "
                                 "again: each run starts from a commit")
    name = free_branch(checkout, branch)
    path = checkout.root / WORKTREES / run_id
    path.parent.mkdir(parents=True, exist_ok=True)
    checkout.git("worktree", "add", "--quiet", "-b", name, str(path), base)
    carried: list[str] = []
    mine = checkout.worktree_tree() if carry else None
    if mine:
        carried = restore(open_repository(path), mine)
    return RunTree(path=str(path), branch=name, base=base, target=checkout.current_branch(),
                   carried=tuple(map(shown, carried)), carried_tree=mine if carried else None)


def free_branch(checkout: Repository, wanted: str) -> str:
    if checkout.try_git("check-ref-format", "--branch", wanted)[0] != 0:
        raise UserInputError(f"not a valid branch name: {wanted!r}", where="run.branch",
                             fix='use letters, digits, "-", "_", "/" and {task}')
    for n in range(1, 1000):
        name = wanted if n == 1 else f"{wanted}-{n}"
        if checkout.try_git("show-ref", "--verify", "--quiet", f"refs/heads/{name}")[0] != 0:
            return name
    raise UserInputError(f"too many branches named {wanted}-N", fix="reviewloop clean")


def remove(checkout: Repository, tree: RunTree, *, branch: bool) -> None:
    """Remove the run's worktree (and its branch when `branch`); already gone is fine."""
    if Path(tree.path).exists():
        status, _, _ = checkout.try_git("worktree", "remove", "--force", tree.path)
        if status != 0:
            shutil.rmtree(tree.path, ignore_errors=True)
    checkout.try_git("worktree", "prune")
    if branch:
        checkout.try_git("branch", "-D", tree.branch)


def listed(checkout: Repository) -> dict[str, str | None]:
    """Run worktrees git knows of: {path: branch or None}."""
    found: dict[str, str | None] = {}
    path = None
    for line in checkout.git("worktree", "list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            path = line.removeprefix("worktree ")
            if f"/{WORKTREES}/" in path.replace(os.sep, "/"):
                found[path] = None
        elif line.startswith("branch ") and path in found:
            found[path] = line.removeprefix("branch refs/heads/")
    return found


def restore(repo: Repository, tree: str) -> list[str]:
    """Make the working tree's non-ignored files equal tree object `tree`; the paths changed."""
    changes = repo.tree_changes(repo.worktree_tree(), tree)
    for path, change in sorted(changes.items()):
        entry = None if change.status == "deleted" else (change.mode or "", change.blob or "")
        _write(repo, path, entry)
    return sorted(changes)


def _write(repo: Repository, path: str, entry: Entry | None) -> None:
    """Put `entry` (None: nothing) at `path` in the working tree, never through a symlink."""
    if entry is None or entry[0] == "160000":
        nofollow.write_entry(repo.root, path, None)
        return
    mode, blob = entry
    data = repo.git("cat-file", "blob", blob).encode("utf-8", "surrogateescape")
    nofollow.write_entry(repo.root, path, data, mode)


# -- landing ---------------------------------------------------------------------------------

Rewrite = Mapping[str, Callable[[bytes | None], bytes]]


def plan(checkout: Repository, commit: str, branch: str, *, rewrite: Rewrite | None = None,
         carried: str | None = None) -> LandPlan:
    """How `commit` lands on `branch`: a fast-forward when the branch has not moved since the
    run started, else the commit replayed on top (its own message and author; `rewrite`
    recomputes the named files from the branch's version, e.g. the spec's tick)."""
    old = checkout.git("rev-parse", "--verify", f"refs/heads/{branch}^{{commit}}").strip()
    if checkout.is_ancestor(commit, old):
        new = old  # landed already
    elif checkout.is_ancestor(old, commit):
        new = commit
    else:
        new = _replay(checkout, old, commit, branch, rewrite or {})
    return LandPlan(branch=branch, old=old, new=new, carried=carried,
                    paths=tuple(sorted(map(shown, checkout.tree_changes(old, new)))))


def _replay(checkout: Repository, old: str, commit: str, branch: str, rewrite: Rewrite) -> str:
    status, out, err = checkout.try_git("merge-tree", "--write-tree", "--name-only",
                                        "--no-messages", old, commit)
    if status > 1:
        raise ReviewloopError(f"git merge-tree failed: {err.strip()}")
    tree, *conflicts = [line for line in out.splitlines() if line]
    conflicts = sorted(set(conflicts) - set(rewrite))
    if conflicts:
        raise BlockingOutcome(
            f"cannot land: {branch} changed since the run started and its changes conflict "
            f"with the run's in {', '.join(conflicts)}; the commit stays on its branch: merge "
            f"it yourself (git merge {commit[:12]})")
    if rewrite:
        tree = _rewritten(checkout, tree, old, rewrite)
    fields = checkout.git("log", "-1", "--format=%an%x00%ae%x00%ad%x00%B", commit).split("\0", 3)
    env = {"GIT_AUTHOR_NAME": fields[0], "GIT_AUTHOR_EMAIL": fields[1],
           "GIT_AUTHOR_DATE": fields[2]}
    return checkout.git("commit-tree", tree, "-p", old, "-m", fields[3].rstrip("\n"),
                        env=env).strip()


def _rewritten(checkout: Repository, tree: str, old: str, rewrite: Rewrite) -> str:
    before = _entries(checkout, old, list(rewrite))
    with tempfile.TemporaryDirectory(prefix="reviewloop-land-") as tmp:
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        checkout.git("read-tree", tree, env=env)
        for path, compute in rewrite.items():
            entry = before.get(path)
            current = (checkout.git("cat-file", "blob", entry[1]).encode(
                "utf-8", "surrogateescape") if entry else None)
            scratch = Path(tmp) / "blob"
            scratch.write_bytes(compute(current))
            blob = checkout.git("hash-object", "-w", "--no-filters", str(scratch)).strip()
            mode = entry[0] if entry else "100644"
            checkout.git("update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}",
                         env=env)
        return checkout.git("write-tree", env=env).strip()


def blocking(checkout: Repository, plan: LandPlan) -> list[str]:
    """Paths of the plan the user has edited (staged or not) to something that is neither the
    branch's version, the landed one nor the one a manual run took over: landing would
    overwrite their work."""
    if checkout.current_branch() != plan.branch or not plan.disk_paths:
        return []
    old, new, mine = _versions(checkout, plan)
    index, files = _index(checkout, plan.disk_paths), _worktree_blobs(checkout, plan.disk_paths)
    return [shown(p) for p in plan.disk_paths
            if index.get(p) not in (old.get(p), new.get(p), mine.get(p, old.get(p)))
            or files.get(p) not in {_blob(v.get(p, old.get(p))) for v in (old, new, mine)}]


def refuse_symlinks(checkout: Repository, plan: LandPlan) -> None:
    """Raise SymlinkInPath, before anything is written, when landing `plan` would write or
    remove a path through a symlink in the user's checkout, or replace an untracked one.
    Tracked symlinks among the plan's paths (mode 120000) are entries, landed as links."""
    if checkout.current_branch() != plan.branch or not plan.disk_paths:
        return
    old, new, mine = _versions(checkout, plan)
    links = {p for p in plan.disk_paths
             if any(v is not None and v[0] == nofollow.LINK for v in (old.get(p), mine.get(p)))}
    nofollow.refuse_symlinks(
        checkout.root, plan.disk_paths, links=links, removed={p for p in links if p not in new},
        fix=f"nothing was landed and your branch did not move: move that symlink out of the "
            f"way (git does not track it), then `reviewloop resume`; or bring the commit in "
            f"yourself: git merge {plan.new[:12]}")


def apply(checkout: Repository, plan: LandPlan) -> list[str]:
    """Carry out `plan`; safe to repeat. Returns the paths it left alone because the user
    changed them after planning (they keep the user's version). Refuses (SymlinkInPath)
    before anything moves when a path has a symlink on the way."""
    refuse_symlinks(checkout, plan)
    current = checkout.git("rev-parse", "--verify", f"refs/heads/{plan.branch}").strip()
    if current == plan.old != plan.new:
        status, _, err = checkout.try_git("update-ref", "-m", "reviewloop: land",
                                          f"refs/heads/{plan.branch}", plan.new, plan.old)
        if status != 0:
            raise BlockingOutcome(f"cannot land: {plan.branch} moved meanwhile ({err.strip()})")
    elif current != plan.new:
        raise BlockingOutcome(f"cannot land: {plan.branch} moved since the landing was planned")
    if checkout.current_branch() != plan.branch or not plan.disk_paths:
        return []
    old, new, mine = _versions(checkout, plan)
    index, files = _index(checkout, plan.disk_paths), _worktree_blobs(checkout, plan.disk_paths)
    _set_index(checkout, [p for p in plan.disk_paths if index.get(p) != new.get(p) and index.get(p)
                          in (old.get(p), mine.get(p, old.get(p)))], new)
    left = []
    for path in plan.disk_paths:
        if files.get(path) == _blob(new.get(path)):
            continue
        if files.get(path) in (_blob(old.get(path)), _blob(mine.get(path, old.get(path)))):
            _write(checkout, path, new.get(path))
        else:
            left.append(shown(path))
    return left


def _versions(checkout: Repository, plan: LandPlan
              ) -> tuple[dict[str, Entry], dict[str, Entry], Mapping[str, Entry | None]]:
    """The plan's paths in the old commit, the new one and the carried tree ({} if none)."""
    paths = plan.disk_paths
    mine: Mapping[str, Entry | None] = {}
    if plan.carried:  # a path absent from the carried tree: the user had deleted it
        carried = _entries(checkout, plan.carried, paths)
        mine = {p: carried.get(p) for p in paths}
    return _entries(checkout, plan.old, paths), _entries(checkout, plan.new, paths), mine


@contextmanager
def land_lock(checkout: Repository) -> Iterator[None]:
    """One landing at a time per repository, across processes."""
    path = checkout.root / ".reviewloop" / "land.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _set_index(checkout: Repository, paths: Sequence[str], new: Mapping[str, Entry]) -> None:
    gone = [p for p in paths if p not in new]
    infos = [arg for p in paths if p in new
             for arg in ("--cacheinfo", f"{new[p][0]},{new[p][1]},{p}")]
    if gone:  # first: a path may turn from a file (or link) into a folder
        checkout.git("update-index", "--force-remove", "--", *gone)
    if infos:
        checkout.git("update-index", "--add", "--replace", *infos)


def _entries(checkout: Repository, rev: str, paths: Sequence[str]) -> dict[str, Entry]:
    out = checkout.git("ls-tree", "-z", "--full-tree", rev, "--", *paths) if paths else ""
    entries = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, _, blob = meta.split()
        entries[path] = (mode, blob)
    return entries


def _index(checkout: Repository, paths: Sequence[str]) -> dict[str, Entry]:
    out = checkout.git("ls-files", "-s", "-z", "--", *paths)
    entries: dict[str, Entry] = {}
    for record in filter(None, out.split("\0")):
        meta, _, path = record.partition("\t")
        mode, blob, stage = meta.split()
        entries[path] = (mode, blob) if stage == "0" else ("conflict", stage)
    return entries


def _worktree_blobs(checkout: Repository, paths: Sequence[str]) -> dict[str, str]:
    """The blob id each path's file would have (git's filters applied); "dir" for a folder."""
    blobs: dict[str, str] = {}
    regular = []
    for path in paths:
        full = checkout.root / path
        if full.is_symlink():
            target = os.readlink(full).encode("utf-8", "surrogateescape")
            blobs[path] = hashlib.sha1(b"blob %d\0" % len(target) + target,
                                       usedforsecurity=False).hexdigest()
        elif full.is_dir():
            blobs[path] = "dir"
        elif full.is_file():
            regular.append(path)
    if regular:
        ids = checkout.git("hash-object", "--", *regular).split()
        blobs.update(zip(regular, ids, strict=True))
    return blobs


def _blob(entry: Entry | None) -> str | None:
    return entry[1] if entry else None
