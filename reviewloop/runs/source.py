"""Which change a review reads, and where its files are: the working tree, the index or
a head commit, its diff, and the commit whose files the analyzers, gates and reviewers read
(a head's or the index's, exported; the working tree is read in place)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import NOT_WRITABLE_FIX, NotWritable, UserInputError
from reviewloop.git.dependencies import link_installed
from reviewloop.git.diff import ChangeSet
from reviewloop.git.export import from_diff
from reviewloop.git.held import Held
from reviewloop.git.reads import one_read
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.git.scratch import EXPORT_PREFIX, place_for, tree_bytes
from reviewloop.git.staged import unstaged
from reviewloop.state_dir import writable_state


@dataclass(frozen=True)
class DiffSource:
    """Which change to review: `working` (default), `staged`, or `base`[..`head`]."""

    base: str | None = None
    head: str | None = None
    staged: bool = False
    merge_base: bool = True  # base...head (a PR's view); False: base..head (new commits only)
    paths: tuple[str, ...] = ()  # `review PATH…`: only changed files under these (repo paths)
    # a pull request's follow-up push: only these files of base...head are read again, the
    # rest of the PR's change being what the last review judged (`github.followup`)
    focus: tuple[str, ...] | None = None

    @property
    def working_tree(self) -> bool:
        """The change is the working tree's (against `base`), not a commit's or the index's."""
        return not self.staged and not self.head

    def describe(self) -> str:
        if self.staged:  # against HEAD unless --base names another commit
            what = f"staged changes{f' against {_shown(self.base)}' if self.base else ''}"
        elif self.head:  # with no --base, the default branch: never "the working tree"
            what = (f"{_shown(self.base) if self.base else 'the default branch'}"
                    f"{'...' if self.merge_base else '..'}{_shown(self.head)}")
        else:
            what = f"working tree against {self.base or 'HEAD'}"
        what += f" under {', '.join(p or '.' for p in self.paths)}" if self.paths else ""
        if self.focus is not None:
            what += f" ({len(self.focus)} file(s) whose change differs since the last review)"
        return what

    def hold(self, repo: Repository) -> None:
        """Two commits' refs are asked of git once for the review (`git.refs`)."""
        if self.head:
            repo.refs.hold(*(rev for rev in (self.base, self.head) if rev))

    def writable(self, repo: Repository, root: Path) -> None:
        """Exit 2 naming what this user cannot write (a read-only checkout), before anything
        is: the review's record under `.reviewloop/`, and for the working tree or the index
        the objects git records their files as (a commit's are there already)."""
        writable_state(root)
        objects = repo.git_path("objects")
        if not self.head and not os.access(objects, os.W_OK | os.X_OK):
            raise NotWritable(
                f"git's object store is not writable by this user: reviewing the "
                f"{'staged changes' if self.staged else 'working tree'} records its files "
                "there", where=str(objects),
                fix=f"{NOT_WRITABLE_FIX}; a commit can be reviewed as it is (`--head REV`)")

    def read(self, repo: Repository, baseline: Snapshot | None = None,
             staged: str | None = None) -> str:
        """The change's diff; a working tree's is read from `baseline`'s record of it when
        given (a snapshot against HEAD, taken a moment ago: its HEAD is not asked of git
        again), else from a new record of it; the index's from `staged`, its commit, when
        given (`git.staged.index_commit`), against `base` when one is named."""
        if self.staged:
            return repo.diff_staged(staged, base=self.base or "HEAD")
        if self.head:
            return repo.diff_refs(self.base or repo.default_base(), self.head,
                                  merge_base=self.merge_base)
        if baseline is None:
            return repo.diff(base=self.base or "HEAD")
        return repo.diff(base=self.base or baseline.base or "HEAD", tree=baseline.tree)


def empty_range(repo: Repository, source: DiffSource) -> str | None:
    """Why a `--head` range with no commit of its own holds nothing to review, and the fix;
    None for the working tree, the index, or a range narrowed to some paths."""
    if not source.head or source.paths or source.focus is not None:
        return None
    base = source.base or repo.default_base()
    head_sha, base_sha = (repo.git("rev-parse", "--verify", "--end-of-options",
                                   f"{rev}^{{commit}}").strip() for rev in (source.head, base))
    head = _shown(source.head)
    why = (f"both are commit {head_sha[:12]}" if head_sha == base_sha
           else f"every commit of {head} is already in {_shown(base)}")
    parent = repo.try_git("rev-parse", "--verify", "--quiet", "--end-of-options",
                          f"{head_sha}^")[0] == 0
    last = (f"or pass --base {head}~1 to review its last commit" if parent else
            f"{head} is a root commit: it has no parent to be reviewed against")
    return (f"nothing to review between {_shown(base)} and {head}: {why}\n"
            f"  fix: --head reviews the commits {head} adds to --base (by default the default "
            f"branch, {repo.default_base()}): drop --head to review your uncommitted change, "
            f"{last}")


@contextmanager
def head_tree(repo: Repository, head: str | None, changes: ChangeSet | None = None
              ) -> Iterator[Path | None]:
    """The files of commit `head` in a temporary folder, removed afterwards (None without a
    head): the content the diff was computed from, whatever is checked out, with links to
    the dependencies the checkout has installed (`git.dependencies`: the CDK CLI, the
    project's ESLint plugins, …). In memory when there is room (`git.scratch`). A file
    `changes` (the diff to `head`) adds whole is written from it when it is the very blob
    (`git.export.from_diff`)."""
    if head is None:
        yield None
        return
    claimed = from_diff(changes) if changes is not None else None
    held = Held(EXPORT_PREFIX, place_for(tree_bytes(repo, head, claimed)))
    tmp = held.name
    try:  # removed with no recursion a level (`deep_folders`), however the review ends
        with one_read(tmp):  # no one writes to the export: what it wrote is each file's read
            link_installed(repo.root, Path(tmp), repo.export_files(head, ["."], Path(tmp),
                                                                   claimed))
            yield Path(tmp)
    finally:
        held.cleanup()


def files_commit(repo: Repository, source: DiffSource, staged: str | None,
                 changes: ChangeSet, *, fix: bool) -> str | None:
    """The commit whose files the review reads (None: the working tree, in place): the head
    commit; with --staged the index's, `staged`, so that what is reviewed is what `git
    commit` records. --fix edits the working tree, which is then read: its changed files
    must be the staged ones, or the fix would start from other code than was reviewed."""
    if source.head or staged is None:
        return source.head
    if not fix:
        return staged
    if differ := unstaged(repo, set(changes.paths)):
        shown = ", ".join(differ[:5]) + (" …" if len(differ) > 5 else "")
        raise UserInputError(
            f"--staged --fix: {len(differ)} changed file(s) differ in the working tree from "
            f"the index: {shown}", where=str(repo.root),
            fix="stage them (`git add`) or set the unstaged part aside (`git stash "
                "--keep-index`), then review again; --fix edits the working tree")
    return None


def _shown(rev: str) -> str:
    """A revision as a title names it: a full commit id by its first 12 digits, any other
    as written (a branch `release/2026-11-hotfix` is not `release/2026`)."""
    return rev[:12] if len(rev) in (40, 64) and all(c in "0123456789abcdef" for c in rev) \
        else rev
