"""`clean`: which worktrees are this checkout's to remove, and removing them without losing
work the user put there.

Only folders under THIS checkout's `.reviewloop/worktrees/` are ever removed: a run's own
(`<run>`, whatever path its record holds: the checkout may have moved), or a stray git lists
there that no run registered. Another checkout's worktrees (a linked checkout sharing
`git worktree list`, the original of a copied checkout) are named and left alone. A run's
worktree holding changes made after the run stopped, or a branch holding commits no other
ref has, is kept and named (`--force` removes it anyway); so are the refs keeping what
`resume` discarded from a run's worktree (`git.discarded`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.app import runs
from reviewloop.app.output import Output
from reviewloop.app.preflight import in_repository
from reviewloop.config import Settings
from reviewloop.errors import ExitCode, ReviewloopError, UserInputError
from reviewloop.git import carry, discarded
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository, open_repository
from reviewloop.runs import left
from reviewloop.runs.registry import UNFINISHED, RunRecord, crashed, run_tree
from reviewloop.runs.store import registry_for
from reviewloop.state_dir import state_folder


@dataclass
class Cleaned:
    """What `clean` removed, and what it kept and why (one line each)."""

    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def clean(settings: Settings, root: Path, run_ids: tuple[str, ...], everything: bool,
          out: Output, *, force: bool = False) -> int:
    """Remove the worktrees (and branches) of finished runs, of the named runs, or with
    `everything` of every run (an unfinished one is then abandoned); and stray worktrees."""
    checkout = in_repository(root)  # exit 2 outside a repository, creating nothing
    state_folder(root)  # exit 2 when a file is there: not "nothing to clean"
    records = runs.records(settings, root)
    unknown = set(run_ids) - {r.run_id for r in records}
    if unknown:
        raise UserInputError(f"no run {', '.join(repr(r) for r in sorted(unknown))}",
                             fix="see `reviewloop runs`")
    done = Cleaned()
    for record in records:
        chosen = record.run_id in run_ids if run_ids else (everything
                                                            or record.status in runs.FINISHED)
        if chosen:
            _clean_run(settings, root, checkout, record, force, out, done)
            if record.status != "running" or crashed(root, record):
                _discarded(checkout, record.run_id, force, done)
    if not run_ids:
        _strays(root, checkout, {r.run_id for r in records}, done)
    out.say("Removed " + ", ".join(done.removed) + "." if done.removed
            else "Nothing removed." if done.kept
            else "Nothing to clean: no kept worktree of a finished run.")
    for line in done.kept:
        out.warn(f"Kept {line}")
    return ExitCode.OK


def _clean_run(settings: Settings, root: Path, checkout: Repository, record: RunRecord,
               force: bool, out: Output, done: Cleaned) -> None:
    tree = run_tree(record)
    if tree is None:
        return
    here = _here(checkout, root, record.run_id, tree)
    if here is None:
        done.kept += _elsewhere(root, record.run_id, tree)
        return
    if record.status == "running" and not crashed(root, record):
        out.warn(f"Run {record.run_id} is running: left alone.")
        return
    shown = runs.relative(root, here.path)
    if not force:
        why = _changed(settings, root, record, here)
        if why:
            done.kept.append(f"{shown}: {why}; `reviewloop clean --force {record.run_id}` "
                             "removes it anyway")
            return
    branch = runs.kept_branch(record) is None
    commits = _own_commits(checkout, record, here) if branch and not force else 0
    if commits and record.status in UNFINISHED:
        done.kept.append(_waiting(record, shown, here.branch, commits))
        return
    if record.status in UNFINISHED:
        store = registry_for(settings, root)
        store.update(record.run_id, status="abandoned",
                     detail="worktree removed by reviewloop clean")
        store.forget_work(record.run_id)  # never rebuilt (runs.carry)
    worktree.remove(checkout, here, branch=branch and not commits)
    done.removed.append(shown)
    if commits:
        done.kept.append(f"branch {here.branch}: {commits} commit(s) on it are on no other "
                         f"branch; `git branch -D {here.branch}` removes it")


def _discarded(checkout: Repository, run_id: str, force: bool, done: Cleaned) -> None:
    """What `resume` discarded from the run's worktree (`git.discarded`): kept and named, it
    may hold an edit of yours; with `--force` removed."""
    refs = discarded.kept(checkout, run_id)
    if not refs:
        return
    if force:
        discarded.drop(checkout, refs)
        done.removed += refs
        return
    done.kept.append(f"{', '.join(refs)}: what `reviewloop resume` discarded from run "
                     f"{run_id}'s worktree ({discarded.restore_hint(refs[-1])}); "
                     f"`reviewloop clean --force {run_id}` removes it")


def _waiting(record: RunRecord, shown: str, branch: str, commits: int) -> str:
    """Why an unfinished run whose branch holds commits on no other branch (an approved
    commit whose landing was refused, a crash after the commit) is kept whole: removing its
    worktree would abandon the run, and its branch is the only copy of its commit."""
    run = record.run_id
    what = (f"its approved commit waits there, not landed; `reviewloop approve {run}` lands "
            f"it, `reviewloop reject {run}` drops it" if record.commit_sha
            else f"{commits} commit(s) of the run there are on no other branch; "
                 "`reviewloop runs` says how to go on with it")
    return (f"{shown} and branch {branch}: {what}; `reviewloop clean --force {run}` removes "
            "them anyway")


def _here(checkout: Repository, root: Path, run_id: str,
          tree: worktree.RunTree) -> worktree.RunTree | None:
    """The run's worktree in this checkout's own folder: where its record says, or
    `<run>` there when the checkout moved (git's links mended); None when it has none here."""
    if Path(tree.path).is_dir():
        return tree if runs.ours(root, Path(tree.path)) else None
    return carry.moved_along(checkout, run_id, tree)


def _elsewhere(root: Path, run_id: str, tree: worktree.RunTree) -> list[str]:
    """What of a run's worktree is not this checkout's to remove, said."""
    kept = []
    if Path(tree.path).is_dir():
        kept.append(f"{tree.path}: it is not under this checkout's {worktree.WORKTREES}/ "
                    "(another checkout's, or the original of a copy); run `reviewloop clean` "
                    "in the checkout it belongs to")
    own = root / worktree.WORKTREES / run_id
    if own.is_dir() and not _same(own, tree):
        kept.append(f"{runs.relative(root, str(own))}: git does not link it to this "
                    "checkout; remove it yourself if you no longer need it")
    return kept


def _same(path: Path, tree: worktree.RunTree) -> bool:
    return os.path.realpath(path) == os.path.realpath(tree.path)


def _changed(settings: Settings, root: Path, record: RunRecord,
             here: worktree.RunTree) -> str | None:
    """Why the worktree may hold the user's work: its files are not what the run left
    there (or nothing says what that was). None when they are."""
    reference = left.recorded(root, record.run_id)
    if reference is None:
        packed = registry_for(settings, root).work(record.run_id)
        if packed is not None:
            code, said, _ = open_repository(root).try_git(
                "rev-parse", "--verify", "--quiet", f"{packed.tree}:{carry.WORK}")
            reference = said.strip() if code == 0 else None
    if reference is None:
        return ("nothing records what the run left there, so changes of yours cannot be "
                "told apart")
    try:
        now = open_repository(Path(here.path)).worktree_tree()
    except ReviewloopError as exc:
        return f"it cannot be read as a worktree ({exc})"
    return None if now == reference else "it has changes made after the run stopped"


def _own_commits(checkout: Repository, record: RunRecord, here: worktree.RunTree) -> int:
    """How many commits on the run's branch neither the run's base, its landed commit nor
    any other branch, tag or remote branch has: removing the branch would lose them. An
    approved commit that never landed (landing refused, a crash after the commit) is on no
    other ref: it counts, so its branch is kept for `approve` to land it."""
    ref = f"refs/heads/{here.branch}"
    if checkout.try_git("rev-parse", "--verify", "--quiet", ref)[0] != 0:
        return 0
    landed = record.commit_sha if record.status == "committed" else None
    known = [s for s in (here.base, landed) if s]
    code, said, _ = checkout.try_git("rev-list", ref, "--not", *known,
                                     f"--exclude={here.branch}", "--branches", "--tags",
                                     "--remotes")
    return len(said.split()) if code == 0 else 0


def _strays(root: Path, checkout: Repository, run_ids: set[str], done: Cleaned) -> None:
    """Worktrees git lists in this checkout's folder that no run registered (a crash before
    registering): removed when git finds them clean. Anything else there is named."""
    folder = root / worktree.WORKTREES
    listed = set()
    for path in worktree.listed(checkout):
        if not runs.ours(root, Path(path)) or Path(path).name in run_ids:
            continue  # another checkout's, or a run's (decided above)
        listed.add(Path(path).name)
        if not Path(path).exists():
            worktree.forget(checkout, Path(path))
            continue
        code, _, err = checkout.try_git("worktree", "remove", path)  # refuses unclean ones
        if code == 0:
            done.removed.append(runs.relative(root, path))
        else:
            done.kept.append(f"{runs.relative(root, path)}: {err.strip().splitlines()[-1]}; "
                             f"`git worktree remove --force {path}` removes it")
    for leftover in sorted(folder.iterdir()) if folder.is_dir() else ():
        if leftover.name in run_ids or leftover.name in listed:
            continue
        if leftover.is_dir() and not leftover.is_symlink() and not any(leftover.iterdir()):
            leftover.rmdir()
            done.removed.append(runs.relative(root, str(leftover)))
        else:
            done.kept.append(f"{runs.relative(root, str(leftover))}: no run of this checkout "
                             "made it; remove it yourself if you no longer need it")
