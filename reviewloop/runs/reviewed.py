"""What an approval may commit: the run's files as the review saw them. A file of the run
changed in its worktree since the run stopped for approval (its work saved then, `runs.carry`)
was never reviewed, and is never committed as if it had been."""

from __future__ import annotations

import os
from collections.abc import Sequence

from reviewloop.errors import BlockingOutcome
from reviewloop.git import carry
from reviewloop.git.carry import Packed
from reviewloop.git.entries import tree_entries, worktree_entries
from reviewloop.git.names import repository_relative
from reviewloop.git.repository import Repository


def changed_since_review(packed: Packed | None, repo: Repository,
                         paths: Sequence[str]) -> list[str]:
    """The run's `paths` whose file in `repo` (its worktree), mode included, is not what the
    run left when it stopped (its work as saved then: `packed`); [] when nothing records
    that (a run of an older version)."""
    if packed is None or not paths or not repo.root.is_dir():
        return []
    code, out, _ = repo.try_git("rev-parse", "--verify", "--quiet",
                                f"{packed.tree}:{carry.WORK}")
    if code != 0:
        return []
    # the names as git and the commit take them (a shown `\\xNN` back to its byte)
    real = dict(zip(paths, repository_relative(repo.root, paths), strict=True))
    left = tree_entries(repo, out.strip(), list(real.values()))
    now = worktree_entries(repo, list(real.values()))
    return [p for p, r in real.items() if left.get(r) != now.get(r)
            # a path the run deleted is still absent: no folder, no link, no file there
            or (r not in left and os.path.lexists(repo.root / r))]


def refuse_unreviewed(packed: Packed | None, run_id: str, repo: Repository,
                      paths: Sequence[str]) -> None:
    """Raise BlockingOutcome when a file of the run changed after its review."""
    changed = changed_since_review(packed, repo, paths)
    if changed:
        raise BlockingOutcome(
            f"cannot approve run {run_id}: {', '.join(changed)} changed in its worktree "
            f"({repo.root}) after the review, so what would be committed was never reviewed; "
            "nothing was committed\n"
            "  fix: put back what the run left there and approve again; or have it reviewed: "
            f"`reviewloop reject {run_id}`, then run the task again")
