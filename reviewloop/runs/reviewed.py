"""What an approval may commit: the run's files as the review saw them. A file of the run
changed in its worktree since the run stopped for approval (its work saved then, `runs.carry`)
was never reviewed, and is never committed as if it had been. The spec the commit ticks is
held to the same, but for the run's own tick of its task: landing writes it there before the
commit, and a process killed between the two leaves it for the retry."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reviewloop.errors import BlockingOutcome, SpecError
from reviewloop.git import carry
from reviewloop.git.carry import Packed
from reviewloop.git.entries import Entry, tree_entries, worktree_entries
from reviewloop.git.names import repository_relative
from reviewloop.git.repository import Repository
from reviewloop.spec import writeback
from reviewloop.spec.loader import parse_tasks


def changed_since_review(packed: Packed | None, repo: Repository,
                         paths: Sequence[str]) -> list[str]:
    """The run's `paths` whose file in `repo` (its worktree), mode included, is not what the
    run left when it stopped (its work as saved then: `packed`); [] when nothing records
    that (a run of an older version)."""
    left_tree = _left(packed, repo) if paths else None
    if left_tree is None:
        return []
    # the names as git and the commit take them (a shown `\\xNN` back to its byte)
    real = dict(zip(paths, repository_relative(repo.root, paths), strict=True))
    left = tree_entries(repo, left_tree, list(real.values()))
    now = worktree_entries(repo, list(real.values()))
    return [p for p, r in real.items() if left.get(r) != now.get(r)
            # a path the run deleted is still absent: no folder, no link, no file there
            or (r not in left and os.path.lexists(repo.root / r))]


def spec_edited(packed: Packed | None, repo: Repository, spec: str, task_id: str) -> bool:
    """Whether the spec (`spec`, a path of the run's worktree) is neither what the run left
    when it stopped nor that with its task `task_id` ticked as landing ticks it (its parents
    closed with it); False when nothing records what the run left."""
    left_tree = _left(packed, repo)
    if left_tree is None:
        return False
    left = tree_entries(repo, left_tree, [spec]).get(spec)
    now = worktree_entries(repo, [spec]).get(spec)
    if left == now:
        return False
    if left is None or now is None or left[0] != now[0]:
        return True  # added, deleted, or its mode (a link, +x) changed: no tick does that
    return now not in _tickings(repo, spec, left, task_id)


def _tickings(repo: Repository, spec: str, left: Entry, task_id: str) -> set[Entry]:
    """The entries the spec as the run left it (`left`) has with `task_id` ticked in it as
    landing ticks it or as a human may (`[X]` too, its parents closed or not), hashed as git
    hashes the file (its filters: CRLF); empty when the task is not in it."""
    data = repo.git("cat-file", "blob", left[1]).encode("utf-8", "surrogateescape")
    text = data.decode("utf-8-sig", errors="replace")  # as the spec loader reads it
    try:
        ticked = writeback.done_spellings(data, parse_tasks(repo.root, repo.root / spec,
                                                            text).tasks, task_id)
    except SpecError:
        return set()
    entries = set()
    for variant in ticked:
        code, out, _ = repo.try_git("hash-object", "--stdin", f"--path={spec}", given=variant)
        if code == 0:
            entries.add((left[0], out.strip()))
    return entries


def _left(packed: Packed | None, repo: Repository) -> str | None:
    """The tree of the run's worktree as the run left it (None: not recorded)."""
    if packed is None or not repo.root.is_dir():
        return None
    code, out, _ = repo.try_git("rev-parse", "--verify", "--quiet",
                                f"{packed.tree}:{carry.WORK}")
    return out.strip() if code == 0 else None


def spec_path(repo: Repository, spec_file: Path | None) -> str | None:
    """The spec the commit ticks, as a path of the run's worktree `repo` (None: it has none
    there, and the commit step says so)."""
    if spec_file is None or spec_file.is_dir():
        return None  # a spec folder: its tasks file is registered, never the folder
    rel = os.path.relpath(os.path.abspath(spec_file), os.path.abspath(repo.root))
    return None if rel == ".." or rel.startswith("../") else Path(rel).as_posix()


def refuse_unreviewed(packed: Packed | None, run_id: str, repo: Repository,
                      paths: Sequence[str], spec: tuple[Path | None, str] = (None, "")
                      ) -> None:
    """Raise BlockingOutcome when a file of the run changed after its review, or the spec
    (`spec`: its file in the run's worktree and the run's task id) beyond the run's tick."""
    tasks = spec_path(repo, spec[0])
    changed = changed_since_review(packed, repo, [p for p in paths if p != tasks])
    if changed:
        raise BlockingOutcome(
            f"cannot approve run {run_id}: {', '.join(changed)} changed in its worktree "
            f"({repo.root}) after the review, so what would be committed was never reviewed; "
            f"nothing was committed\n  fix: {_way_out(run_id)}")
    if tasks is not None and spec_edited(packed, repo, tasks, spec[1]):
        raise BlockingOutcome(
            f"cannot approve run {run_id}: the spec {tasks} changed in its worktree "
            f"({repo.root}) after the review, beyond the run's own tick of task {spec[1]}, so "
            "what would be committed was never reviewed; nothing was committed\n"
            f"  fix: {_way_out(run_id)} (to change the spec, change and commit it in your "
            "checkout: landing ticks the task on your version of it)")


def _way_out(run_id: str) -> str:
    return ("put back what the run left there and approve again; or have it reviewed: "
            f"`reviewloop reject {run_id}`, then run the task again")
