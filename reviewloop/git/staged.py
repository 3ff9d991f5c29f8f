"""The index as a commit: what `git commit` would record now, the files a review of
`--staged` reads (its analyzers, gates and reviewers), never the working tree's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewloop.errors import UserInputError
from reviewloop.git.names import shown

if TYPE_CHECKING:
    from reviewloop.git.repository import Repository

# The commit is the index's record, no one's work: a fixed identity and date, so it needs no
# configured identity and the same index gives the same commit id (no new object each time
# a pre-commit hook reviews it). No ref names it; `git gc` drops it.
_RECORD = {"GIT_AUTHOR_NAME": "reviewloop", "GIT_AUTHOR_EMAIL": "reviewloop@localhost",
           "GIT_AUTHOR_DATE": "1000000000 +0000", "GIT_COMMITTER_NAME": "reviewloop",
           "GIT_COMMITTER_EMAIL": "reviewloop@localhost",
           "GIT_COMMITTER_DATE": "1000000000 +0000"}


def index_commit(repo: Repository) -> str:
    """The index as a commit whose parent is HEAD (none on an unborn branch); the index is
    kept as it is. An index holding unresolved conflicts has no such commit: a user error
    naming the paths."""
    status, tree, err = repo.try_git("write-tree")
    if status != 0:
        raise _unmerged(repo, err)
    head = repo.head_sha()
    return repo.git("commit-tree", "--no-gpg-sign", *(("-p", head) if head else ()),
                    "-m", "reviewloop: the staged changes", tree.strip(), env=_RECORD).strip()


def unstaged(repo: Repository, paths: set[str]) -> list[str]:
    """Those of `paths` (`names.shown`) whose working-tree file differs from the index."""
    out = repo.git("diff", "--name-only", "--no-renames", "-z")
    return sorted(name for name in map(shown, out.split("\0")) if name in paths)


def _unmerged(repo: Repository, detail: str) -> UserInputError:
    names = [shown(p) for p in repo.git("diff", "--name-only", "--diff-filter=U", "-z")
             .split("\0") if p]
    what = (f"{len(names)} path(s) with unresolved conflicts: {', '.join(names[:5])}"
            f"{' …' if len(names) > 5 else ''}") if names else detail.strip()
    return UserInputError(
        f"the index cannot be reviewed as staged changes: {what}", where=str(repo.root),
        fix="resolve the conflicts and `git add` the files (or `git merge --abort`), then "
            "review again; `reviewloop review` without --staged reads the working tree")
