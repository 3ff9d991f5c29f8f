"""What `resume` is about to discard from a run's worktree, kept first: the worktree's whole
state (its non-ignored files as a snapshot sees them: tracked edits, deletions, untracked
files; ignored ones are never discarded, so never kept) as a commit named by
`refs/reviewloop/discarded/<run>/<n>`, one per discard. Written through a temporary index,
`commit-tree` and `update-ref` only: no checkout's index, HEAD or branch moves, and since
refs are shared by every worktree of the repository, any checkout of it gets a file back.

`<n>` numbers the discards of one run from 1: git cannot hold a ref `…/<run>` beside refs
under `…/<run>/`, so even the first has its number.
"""

from __future__ import annotations

from reviewloop.git.repository import Repository

PREFIX = "refs/reviewloop/discarded"
# The kept commit's author: a resume must not fail for want of the user's git identity.
_KEEPER = {"GIT_AUTHOR_NAME": "reviewloop", "GIT_AUTHOR_EMAIL": "reviewloop@localhost",
           "GIT_COMMITTER_NAME": "reviewloop", "GIT_COMMITTER_EMAIL": "reviewloop@localhost"}
_NEW = "0" * 40  # update-ref's old value for "create, never overwrite"


def keep(repo: Repository, run_id: str, tree: str, head: str | None, step: str) -> str:
    """Commit `tree` (the worktree's state `repo.worktree_tree()` read before the discard),
    its parent `head` (the worktree's HEAD then: a commit the stopped step made stays
    reachable), under the run's next free ref; that ref's name."""
    message = (f"reviewloop: what resume discarded from run {run_id}'s worktree\n\n"
               f"The worktree as it was when the run was resumed, before the stopped {step} "
               "step's writes (and any edit made there since) were put back to the run's "
               "last saved work.\n")
    commit = repo.git("commit-tree", "--no-gpg-sign", *(("-p", head) if head else ()),
                      "-m", message, tree, env=_KEEPER).strip()
    number = max((_number(ref) for ref in kept(repo, run_id)), default=0) + 1
    while True:  # create-only: a ref made meanwhile (another resume) is never written over
        ref = f"{PREFIX}/{run_id}/{number}"
        status, _, _ = repo.try_git("update-ref", "-m", "reviewloop: kept before resume "
                                    "discarded it", ref, commit, _NEW)
        if status == 0:
            return ref
        if repo.try_git("rev-parse", "--verify", "--quiet", ref)[0] != 0:
            repo.git("update-ref", ref, commit, _NEW)  # not taken: raises git's own error
            return ref
        number += 1


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
            "this repository")


def _number(ref: str) -> int:
    last = ref.rpartition("/")[2]
    return int(last) if last.isdigit() else 0
