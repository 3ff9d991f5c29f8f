"""What `resume` is about to discard from a run's worktree, kept first: the worktree's whole
state (its non-ignored files as a snapshot sees them: tracked edits, deletions, untracked
files; ignored ones are never discarded, so never kept) as a commit named by
`refs/reviewloop/discarded/<run>/<n>`, one per discard; its index (what was staged, which
may differ from the file) as that commit's second parent, as `git stash` keeps it
(`<ref>^2`). Written through temporary indexes, `commit-tree` and `update-ref` only: no
checkout's index, HEAD or branch moves, and since refs are shared by every worktree of the
repository, any checkout of it gets a file back. The refs are created only where none is
(update-ref's old value the null id, as long as the repository's ids: SHA-1 or SHA-256).

`<n>` numbers the discards of one run from 1: git cannot hold a ref `…/<run>` beside refs
under `…/<run>/`, so even the first has its number.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from reviewloop.git.repository import Repository

PREFIX = "refs/reviewloop/discarded"
# The kept commit's author: a resume must not fail for want of the user's git identity.
_KEEPER = {"GIT_AUTHOR_NAME": "reviewloop", "GIT_AUTHOR_EMAIL": "reviewloop@localhost",
           "GIT_COMMITTER_NAME": "reviewloop", "GIT_COMMITTER_EMAIL": "reviewloop@localhost"}


def keep(repo: Repository, run_id: str, tree: str, head: str | None, step: str) -> str:
    """Commit `tree` (the worktree's state `repo.worktree_tree()` read before the discard),
    its parents `head` (the worktree's HEAD then: a commit the stopped step made stays
    reachable) and a commit of the worktree's index on `head` (its staged versions), under
    the run's next free ref; that ref's name. An index git cannot write as a tree (a merge
    left unresolved) is not kept: the message says so."""
    index = _index_commit(repo, run_id, head)
    staged = ("Its second parent holds the worktree's index, what was staged "
              "(`git restore --source=<this>^2 --staged -- PATH`).\n" if index else
              "The worktree's index (a merge left unresolved, or no HEAD) was not kept.\n")
    message = (f"reviewloop: what resume discarded from run {run_id}'s worktree\n\n"
               f"The worktree as it was when the run was resumed, before the stopped {step} "
               "step's writes (and any edit made there since) were put back to the run's "
               f"last saved work.\n{staged}")
    parents = [p for p in (head, index) if p]
    commit = repo.git("commit-tree", "--no-gpg-sign", *(a for p in parents for a in ("-p", p)),
                      "-m", message, tree, env=_KEEPER).strip()
    new = "0" * len(commit)  # update-ref's old value for "create, never overwrite": the null
    # id of the repository's object format (40 hex digits for SHA-1, 64 for SHA-256)
    number = max((_number(ref) for ref in kept(repo, run_id)), default=0) + 1
    while True:  # create-only: a ref made meanwhile (another resume) is never written over
        ref = f"{PREFIX}/{run_id}/{number}"
        status, _, _ = repo.try_git("update-ref", "-m", "reviewloop: kept before resume "
                                    "discarded it", ref, commit, new)
        if status == 0:
            return ref
        if repo.try_git("rev-parse", "--verify", "--quiet", ref)[0] != 0:
            repo.git("update-ref", ref, commit, new)  # not taken: raises git's own error
            return ref
        number += 1


def _index_commit(repo: Repository, run_id: str, head: str | None) -> str | None:
    """A commit of the worktree's index on `head`; None without a HEAD or when the index
    does not write as a tree (unmerged entries)."""
    if head is None:
        return None
    with tempfile.TemporaryDirectory(prefix="reviewloop-index-") as scratch:
        index = Path(scratch, "index")  # a copy: the worktree's own index file stays as is
        if repo.git_path("index").exists():
            shutil.copy2(repo.git_path("index"), index)
        status, tree, _ = repo.try_git("write-tree", env={"GIT_INDEX_FILE": str(index)})
    if status != 0:
        return None
    return repo.git("commit-tree", "--no-gpg-sign", "-p", head, "-m",
                    f"reviewloop: the index of run {run_id}'s worktree, kept before resume",
                    tree.strip(), env=_KEEPER).strip()


def kept(repo: Repository, run_id: str) -> list[str]:
    """The refs keeping what resumes discarded from run `run_id`'s worktree, oldest first."""
    out = repo.git("for-each-ref", "--format=%(refname)", f"{PREFIX}/{run_id}/")
    return sorted(out.split(), key=_number)


def drop(repo: Repository, refs: list[str]) -> None:
    for ref in refs:
        repo.git("update-ref", "-d", ref)


def restore_hint(ref: str) -> str:
    """How to get a kept file back, said with the ref."""
    return (f"`git restore --source={ref} -- PATH` brings a file back, in any checkout of "
            f"this repository; `git restore --source={ref}^2 --staged -- PATH` its staged "
            "version")


def _number(ref: str) -> int:
    last = ref.rpartition("/")[2]
    return int(last) if last.isdigit() else 0
