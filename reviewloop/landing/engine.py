"""The landing engine: how a run's commit lands in the user's checkout without touching
anything else there.

The commit lands through a `LandPlan`: the user's branch moves (fast-forward, or the commit
replayed on top when the branch moved meanwhile), then exactly the landed paths are brought
up to date in the user's index and files — each only while it still holds the old version,
so applying a plan twice (a resume after a crash) repairs and never harms. The plain git
operations it is made of live in `git/` (`git.entries`); what is landed when, and what is
refused, is decided here.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import BlockingOutcome, ReviewloopError
from reviewloop.git import nofollow
from reviewloop.git.entries import (
    Entry,
    index_entries,
    set_index,
    tree_entries,
    worktree_entries,
    write_entry,
)
from reviewloop.git.names import on_disk, shown
from reviewloop.git.repository import Repository
from reviewloop.landing.shield import deferred_signals


class LandConflict(BlockingOutcome):
    """The branch moved since the run started and git cannot merge the run's commit onto it
    (two tasks of a batch appending to one file, say): the commit stays on its branch; a
    run started again from the branch as it is now can land."""


class LandPlan(BaseModel):
    """Moving the user's branch from `old` to `new`; `paths` are the files that differ.

    `carried` is the user's working tree a manual run started from: a file still as it was
    then is the user's change the run took over, and gets the reviewed version too."""

    model_config = ConfigDict(frozen=True)

    branch: str
    old: str
    new: str
    paths: tuple[str, ...]  # in text form (`git.names.shown`): a plan is stored
    carried: str | None = None

    @property
    def disk_paths(self) -> tuple[str, ...]:
        """`paths` as git and the file system take them."""
        return tuple(map(on_disk, self.paths))


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
        raise LandConflict(
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
    before = tree_entries(checkout, old, list(rewrite))
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
    paths = plan.disk_paths
    if checkout.current_branch() != plan.branch or not paths:
        return []
    old, new, mine = _versions(checkout, plan)
    index, files = index_entries(checkout, paths), worktree_entries(checkout, paths)
    return [shown(p) for p in paths  # a mode changed (chmod +x) is an edit too
            if index.get(p) not in (old.get(p), new.get(p), mine.get(p, old.get(p)))
            or files.get(p) not in {v.get(p, old.get(p)) for v in (old, new, mine)}]


def staged_only(checkout: Repository, plan: LandPlan, paths: list[str]) -> list[str]:
    """Of the blocking `paths`, those whose file in the checkout is a version the plan takes
    and only the staged entry is not (a manual run's change half staged with `git add -p`):
    unstaging them lets the plan land, each file keeping every edit. Committing the staged
    half instead would make the run's commit conflict with it."""
    disk = [on_disk(p) for p in paths]
    old, new, mine = _versions(checkout, plan)
    files = worktree_entries(checkout, disk)
    return [shown(p) for p in disk
            if files.get(p) in {v.get(p, old.get(p)) for v in (old, new, mine)}]


def refuse_symlinks(checkout: Repository, plan: LandPlan) -> None:
    """Raise SymlinkInPath, before anything is written, when landing `plan` would write or
    remove a path through a symlink in the user's checkout, or replace an untracked one.
    Tracked symlinks among the plan's paths (mode 120000) are entries, landed as links."""
    paths = plan.disk_paths
    if checkout.current_branch() != plan.branch or not paths:
        return
    old, new, mine = _versions(checkout, plan)
    links = {p for p in paths
             if any(v is not None and v[0] == nofollow.LINK for v in (old.get(p), mine.get(p)))}
    nofollow.refuse_symlinks(
        checkout.root, paths, links=links, removed={p for p in links if p not in new},
        fix=f"nothing was landed and your branch did not move: move that symlink out of the "
            f"way (git does not track it), then `reviewloop resume`; or bring the commit in "
            f"yourself: git merge {plan.new[:12]}")


def apply(checkout: Repository, plan: LandPlan) -> list[str]:
    """Carry out `plan`; safe to repeat. Returns the paths it left alone because the user
    changed them after planning (they keep the user's version). Refuses (SymlinkInPath)
    before anything moves when a path has a symlink on the way. Ctrl-C and the stopping
    signals wait until it is done (`landing.shield`): never a branch moved over an old
    tree."""
    refuse_symlinks(checkout, plan)
    with deferred_signals():  # the branch, index and files move together or not at all
        return _apply(checkout, plan)


def _apply(checkout: Repository, plan: LandPlan) -> list[str]:
    current = checkout.git("rev-parse", "--verify", f"refs/heads/{plan.branch}").strip()
    if current == plan.old != plan.new:
        status, _, err = checkout.try_git("update-ref", "-m", "reviewloop: land",
                                          f"refs/heads/{plan.branch}", plan.new, plan.old)
        if status != 0:
            raise BlockingOutcome(f"cannot land: {plan.branch} moved meanwhile ({err.strip()})")
    elif current != plan.new:
        raise BlockingOutcome(f"cannot land: {plan.branch} moved since the landing was planned")
    paths = plan.disk_paths
    if checkout.current_branch() != plan.branch or not paths:
        return []
    old, new, mine = _versions(checkout, plan)
    index, files = index_entries(checkout, paths), worktree_entries(checkout, paths)
    set_index(checkout, [p for p in paths if index.get(p) != new.get(p) and index.get(p)
                         in (old.get(p), mine.get(p, old.get(p)))], new)
    left = []
    for path in paths:  # compared by mode and blob: a mode-only change (chmod +x) is written
        if (checkout.root / path).is_dir() and not (checkout.root / path).is_symlink():
            left.append(shown(path))  # a folder of the user's where the file was
        elif files.get(path) == new.get(path):
            continue
        elif files.get(path) in (old.get(path), mine.get(path, old.get(path))):
            write_entry(checkout, path, new.get(path))
        else:
            left.append(shown(path))
    return left


def _versions(checkout: Repository, plan: LandPlan
              ) -> tuple[dict[str, Entry], dict[str, Entry], Mapping[str, Entry | None]]:
    """The plan's paths in the old commit, the new one and the carried tree ({} if none)."""
    paths = plan.disk_paths
    mine: Mapping[str, Entry | None] = {}
    if plan.carried:  # a path absent from the carried tree: the user had deleted it
        carried = tree_entries(checkout, plan.carried, paths)
        mine = {p: carried.get(p) for p in paths}
    return (tree_entries(checkout, plan.old, paths), tree_entries(checkout, plan.new, paths),
            mine)


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
