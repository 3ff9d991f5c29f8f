"""All git access: the repository, branches, working-tree snapshots, diffs and path-only commits."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from reviewloop.errors import BlockingOutcome, ReviewloopError, UserInputError
from reviewloop.git import nofollow, revisions
from reviewloop.git.command import GitCommand, locate
from reviewloop.git.diff_headers import utf8_names
from reviewloop.git.export import Claimed, listing, write_blobs
from reviewloop.git.failures import failed
from reviewloop.git.names import repository_relative, shown
from reviewloop.git.plaindiff import as_text, read_blob, without_tree_attributes
from reviewloop.git.recording import stage_all, stage_tracked
from reviewloop.git.refs import CommitNames
from reviewloop.git.refs import is_protected as is_protected
from reviewloop.git.repo_writes import append_line
from reviewloop.git.sizes import DIFF_SIZE_LIMIT
from reviewloop.git.snapshots import Change, Snapshot, parse_raw_changes
from reviewloop.git.snapshots import TouchedFiles as TouchedFiles
from reviewloop.git.snapshots import touched_since as touched_since
from reviewloop.git.staged import index_commit
from reviewloop.git.untracked import SkippedPath, hidden_edits, untracked_files
from reviewloop.memo import TextMemo

# Nothing in a working tree runs on the host when reviewloop runs git (DESIGN.md, "Trust
# boundaries"): no hook (the hooks folder can be in the tree: core.hooksPath = .githooks;
# --no-verify would still run post-commit, post-checkout, reference-transaction, …), no
# fsmonitor program, no ext:: transport. Command-line -c beats every config file, one that
# an include.path pulls in from the tree too. The user's own hooks run sandboxed instead
# (reviewloop.checks.gates.hooks).
NO_TREE_CODE = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
                "-c", "protocol.ext.allow=never")
# Every command prints non-ASCII paths unquoted.
_GLOBAL = ("-c", "core.quotePath=false", *NO_TREE_CODE)
# The diff of two commits: a review asks for the same one up to four times (the change, the
# trusted side, the suppression scope, the configuration check); a few MB at most, two kept.
_COMMIT_DIFFS: TextMemo[str] = TextMemo(keep=2, from_chars=0)
# Diff output that parses the same whatever the user's diff.* / color.* settings are; its
# names come quoted to ASCII, so a name's bytes survive however the output is decoded
# (`diff_headers.utf8_names` writes the UTF-8 ones back).
_DIFF = ("-c", "core.quotePath=true", "diff", "--no-color", "--no-ext-diff", "--no-textconv",
         "--src-prefix=a/", "--dst-prefix=b/", "--find-renames", "--full-index")


def open_repository(path: str | os.PathLike[str]) -> Repository:
    """The repository whose working tree contains `path`."""
    return Repository(*locate(path, NO_TREE_CODE))


class Repository:
    """One git working tree. Every method runs git; nothing runs at construction."""

    def __init__(self, command: GitCommand, git_dir: Path):
        self._cmd = command
        self._git_dir = git_dir
        # answers that cannot change while this object lives, asked of git once each (a
        # working-tree snapshot asked where the index is and what its base is, every time)
        self._git_paths: dict[str, Path] = {}
        self.refs = CommitNames()  # the commit a name gives, while it stays (`git.refs`)
        self._empty: str | None = None
        self._bases: dict[tuple[str, str], bool] = {}  # commit pairs: a merge base or not
        self._left_out: list[SkippedPath] | None = None  # by the last snapshot
        self._listing: tuple[str, str] = ("", "")  # the last commit listed, its listing

    @property
    def root(self) -> Path:
        return self._cmd.working_dir

    # -- commits and branches -------------------------------------------------------------

    def head_sha(self) -> str | None:
        """The commit HEAD points at, or None on an unborn branch."""
        return self._commit("HEAD")

    def current_branch(self) -> str | None:
        """The checked-out branch (also on an unborn branch); None when HEAD is detached."""
        status, out, _ = self.try_git("symbolic-ref", "--quiet", "--short", "HEAD")
        return out.strip() if status == 0 else None

    def default_branch(self) -> str:
        """origin/HEAD, else init.defaultBranch, main or master — the first that exists."""
        status, out, _ = self.try_git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
        if status == 0:
            return out.strip().removeprefix("refs/remotes/origin/")
        status, out, _ = self.try_git("config", "--get", "init.defaultBranch")
        configured = out.strip() if status == 0 else ""
        for name in (configured, "main", "master"):
            if name and (self._exists(f"refs/heads/{name}")
                         or self._exists(f"refs/remotes/origin/{name}")):
                return name
        return configured or "main"

    def default_base(self) -> str:
        """The default branch as a revision to review against: `origin/<name>` when only that
        exists (a CI clone of a feature branch has no local `main`)."""
        name = self.default_branch()
        if self._exists(f"refs/heads/{name}") or not self._exists(f"refs/remotes/origin/{name}"):
            return name
        return f"origin/{name}"

    def create_branch(self, name: str) -> None:
        """Create branch `name` at HEAD and switch to it; uncommitted changes come along."""
        if self.try_git("check-ref-format", "--branch", name)[0] != 0:
            raise UserInputError(f"not a valid branch name: {name!r}",
                                 fix="use letters, digits, '-', '_' and '/'")
        if self._exists(f"refs/heads/{name}"):
            raise UserInputError(f"branch {name!r} already exists", where=str(self.root),
                                 fix=f"choose another name, or switch to it: git switch {name}")
        self.git("switch", "--quiet", "-c", name)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when `ancestor` is reachable from `descendant` (False after a force-push)."""
        status, _, err = self.try_git("merge-base", "--is-ancestor", ancestor, descendant)
        if status > 1:
            raise revisions.unknown_revision(f"{ancestor} or {descendant}", err)
        return status == 0

    def changed_files(self, base: str, head: str, *, merge_base: bool = True) -> list[str]:
        """Paths changed from `base` to `head` (from their merge base unless told otherwise)."""
        refs = self._range(base, head, merge_base)
        out = self.git("diff", "--name-only", "-z", "--no-renames", *refs, "--")
        return [shown(p) for p in out.split("\0") if p]

    def export_files(self, rev: str, paths: Iterable[str], dest: Path,
                     claimed: Claimed | None = None) -> list[str]:
        """Write the regular files at or under `paths` in commit `rev` into `dest` (symlinks
        and submodules are left out); return their repo-relative paths. `claimed`: what a
        file's content may be (`export.from_diff`), used when it is the very blob."""
        rel = self._paths(paths)
        out = self.tree_listing(rev) if rel == ["."] else self.git(
            "ls-tree", "-r", "-z", "-l", "--full-tree", self._commit(rev) or "", "--",
            *rel) if rel else ""
        return [shown(p) for p in write_blobs(self._cmd, out, dest, _GLOBAL, claimed)]

    def tree_listing(self, rev: str, claimed: Claimed | None = None) -> str:
        """`git ls-tree -r -z -l` of all of commit `rev`; the last commit's kept (a review
        sizes its head's files, then exports them: one listing, 0.05 s at 5,000 files). A
        blob `claimed` has whole is sized by its content (`export.listing`)."""
        commit = self._commit(rev) or ""
        kept, text = self._listing  # one read: another thread may replace it meanwhile
        if kept != commit or not commit:
            text = listing(self.git, self._cmd, _GLOBAL, commit, claimed)
            self._listing = (commit, text)
        return text

    # -- diffs ----------------------------------------------------------------------------

    def diff(self, paths: Iterable[str] | None = None, base: str = "HEAD",
             *, context: int = 3, tree: str | None = None) -> str:
        """Unified diff from `base` to the working tree, untracked (non-ignored) files included.
        The user's index is never read for content nor written: the working tree is recorded
        as a tree object through a throw-away index (or `tree` is such a record)."""
        start = self._commit(base) or self._empty_tree()
        return self._diff_trees(start, tree or self.worktree_tree(), paths, context)

    def diff_staged(self, staged: str | None = None, base: str = "HEAD", context: int = 3) -> str:
        """What `git commit` would record now, against `base` (as `git diff --cached BASE`):
        the index's commit `staged` (`staged.index_commit`), or the index as it is now."""
        start = self._commit(base) or self._empty_tree()
        return self._diff_trees(start, staged or index_commit(self), None, context)

    def diff_since(self, snapshot: Snapshot, paths: Iterable[str] | None = None,
                   *, context: int = 3) -> str:
        """Only what changed in the working tree after `snapshot` was taken."""
        return self._diff_trees(snapshot.tree, self.worktree_tree(), paths, context)

    def diff_refs(self, base: str, head: str, paths: Iterable[str] | None = None,
                  *, merge_base: bool = True, context: int = 3) -> str:
        """Unified diff between two commits; `base...head` (the pull-request view) by default."""
        args = (f"-U{context}", *self._range(base, head, merge_base), "--", *self._paths(paths))
        key = "\0".join((str(self._git_dir), *args))  # commit ids: it never changes
        return _COMMIT_DIFFS.get(key, lambda: self._plain_diff(*args))

    def _diff_trees(self, old: str, new: str, paths: Iterable[str] | None, context: int) -> str:
        if old == new:  # one tree (a working tree unchanged since its snapshot): no change
            return ""
        return self._plain_diff(f"-U{context}", old, new, "--", *self._paths(paths))

    def _plain_diff(self, *args: str) -> str:
        """A tree-to-tree diff no tree's .gitattributes can blind (`git.plaindiff`), in which
        a text file git took for binary by a NUL byte is shown as text."""
        with without_tree_attributes(self._git_dir) as (options, env):
            return utf8_names(as_text(
                lambda *more: self.git(*options, *more, env=env, errors="replace"),
                (*DIFF_SIZE_LIMIT, *_DIFF, *args),
                lambda blob, limit: read_blob(self.root, blob, _GLOBAL, limit)))

    def _range(self, base: str, head: str, merge_base: bool) -> list[str]:
        """`base...head` (or both) as commit ids."""
        ids = []
        for rev in (base, head):
            if (commit := self._commit(rev)) is None:
                raise revisions.unknown_revision(rev, "", self.try_git)
            ids.append(commit)
        if merge_base and (cut := revisions.uncertain_start(
                self.try_git, base, head, ids, self._related(*ids))) is not None:
            raise cut
        return [f"{ids[0]}...{ids[1]}"] if merge_base else ids

    def _related(self, a: str, b: str) -> bool:  # a merge base here? (asked once a pair)
        if (a, b) not in self._bases:
            self._bases[(a, b)] = self.try_git("merge-base", a, b)[0] == 0
        return self._bases[(a, b)]

    # -- snapshots ------------------------------------------------------------------------

    def snapshot(self, base: str | None = "HEAD") -> Snapshot:
        """Record the working tree now, compared with `base` (pass an earlier snapshot's base
        so that two snapshots stay comparable even if HEAD moved in between)."""
        base_sha = self._commit(base) if base else None
        tree = self.worktree_tree()
        files = self.tree_changes(base_sha or self._empty_tree(), tree)
        head = base_sha if base == "HEAD" else self.head_sha()  # asked of git once
        return Snapshot(head=head, base=base_sha, tree=tree,  # stored: names as text
                        files={shown(path): change for path, change in files.items()})

    def tree_changes(self, old: str, new: str) -> dict[str, Change]:
        """How each path (as on disk) differs from tree-ish `old` to tree-ish `new` (no renames)."""
        return parse_raw_changes(self.git("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev",
                                    old, new))

    def head_snapshot(self) -> Snapshot:
        """HEAD's own tree as a snapshot: measured from it, every uncommitted change counts."""
        head = self.head_sha()
        tree = self.git("rev-parse", f"{head}^{{tree}}").strip() if head else self._empty_tree()
        return Snapshot(head=head, base=head, tree=tree, files={})

    def last_commit_message(self) -> str:
        return self.git("log", "-1", "--format=%B") if self.head_sha() else ""
    def working_tree_clean(self, paths: Iterable[str] | None = None) -> bool:
        """No staged, unstaged or untracked (non-ignored) changes, within `paths` if given."""
        out = self.git("status", "--porcelain", "-z", "--untracked-files=all", "--",
                        *self._paths(paths))
        return out == ""

    def worktree_tree(self) -> str:
        """Every non-ignored working-tree file written into a tree object: its id. Untracked
        environments, caches and build output are left out, never read (`git.untracked`)."""
        def untracked() -> list[str]:  # listed against the index once tracked files are in
            kept, self._left_out = self._untracked_files(env)
            return kept
        with self._temp_index(seed=True) as env:  # a tree's own attributes never fail it
            stage_all(self.try_git, self.root, untracked, env)
            return self.git("write-tree", env=env).strip()

    def untracked_skipped(self) -> list[SkippedPath]:
        """What a snapshot leaves out, and why: the last snapshot's list, else listed now."""
        left_out = self._left_out
        if left_out is None:
            with self._temp_index(seed=True) as env:
                stage_tracked(self.try_git, self.root, env)  # (`git.recording`)
                left_out = self._untracked_files(env)[1]
        return [*left_out, *hidden_edits(self.try_git, self.root)]

    def _untracked_files(self, env: Mapping[str, str]) -> tuple[list[str], list[SkippedPath]]:
        """(untracked files to snapshot, as on disk; paths left out, named as text)."""
        return untracked_files(self.root, lambda *args: self.git(
            "ls-files", "--others", "--exclude-standard", "-z", *args, env=env))

    # -- committing -----------------------------------------------------------------------

    def commit_paths(self, paths: Iterable[str], message: str, *,
                     identity: Mapping[str, str] | None = None, force: bool = False) -> str:
        """Commit exactly `paths` as they are in the working tree (deletions included; with
        `force`, ignored ones too: they were chosen); return the new commit id. Other staged and
        unstaged changes stay. `identity`: GIT_AUTHOR_*/GIT_COMMITTER_* (`git.identity`)."""
        rel = sorted(set(self._paths(paths)))
        if not rel:
            raise ValueError("commit_paths needs at least one path")
        head = self.head_sha()
        with self._temp_index(seed=True) as env:
            self._stage_into(env["GIT_INDEX_FILE"], rel, force)
            self._commit_index(head, message, {**env, **(identity or {})})
        sha = self.head_sha() or ""
        status, _, err = self.try_git("reset", "--quiet", sha, "--", *rel)
        if status != 0:
            raise ReviewloopError(
                f"committed {sha[:12]}, but could not update the index for its files: "
                f"{err.strip()}\n  fix: git reset -q -- {' '.join(rel)}")
        return sha

    def stage_into(self, index: str | os.PathLike[str], paths: Iterable[str]) -> None:
        """Write index file `index`: HEAD with exactly `paths` staged as they are in the
        working tree (deletions included) — what committing them would record."""
        self._stage_into(index, sorted(set(self._paths(paths))))

    def _stage_into(self, index: str | os.PathLike[str], rel: list[str], force: bool = False
                    ) -> None:
        """`stage_into` for paths already as git takes them (`_paths`)."""
        env = {"GIT_INDEX_FILE": os.fspath(index)}
        head = self.head_sha()
        # A plain read-tree (no --reset) keeps no stat data, so `git add` re-hashes every
        # path: an edit of the same size within the same timestamp tick is not missed.
        self.git("read-tree", *((head,) if head else ("--empty",)), env=env)
        self._stage(rel, env, force)

    def _stage(self, rel: list[str], env: Mapping[str, str], force: bool = False) -> None:
        present = nofollow.present(self.root, rel, files_only=force)  # never a folder
        missing = [p for p in rel if p not in set(present)]
        if present:
            self.git("add", *(["-f"] if force else []), "--", *present, env=env)
        if missing:
            self.git("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *missing, env=env)

    def _commit_index(self, head: str | None, message: str, env: Mapping[str, str]) -> None:
        """`git commit` from the index in `env`; no hook runs (`NO_TREE_CODE`)."""
        if head:
            unchanged = self.try_git("diff-index", "--cached", "--quiet", head, env=env)[0] == 0
        else:
            unchanged = self.git("ls-files", env=env) == ""
        if unchanged:
            raise UserInputError("nothing to commit: the given files match HEAD",
                                 where=str(self.root))
        status, out, err = self.try_git("commit", "--quiet", "-m", message, env=env)
        if status != 0:
            output = "\n".join(t.strip() for t in (out, err) if t.strip())
            raise BlockingOutcome(f"git commit failed; nothing was committed and nothing was "
                                  f"staged:\n{output}")

    # -- ignores --------------------------------------------------------------------------

    def ensure_ignored(self, path: str) -> bool:
        """Ignore `path` via .git/info/exclude (never .gitignore); True when a line was added.
        No trailing `/`: only that matches a symlink to a folder, a file to git (`.reviewloop`)."""
        if self.try_git("check-ignore", "--quiet", "--no-index", "--", path, literal=False)[0] == 0:
            return False
        exclude = self.git_path("info/exclude")
        exclude.parent.mkdir(parents=True, exist_ok=True)
        append_line(exclude, path)
        return True

    # -- plumbing -------------------------------------------------------------------------

    def try_git(self, *args: str, env: Mapping[str, str] | None = None, errors: str =
                "surrogateescape", literal: bool = True, given: bytes | None = None
                ) -> tuple[int, str, str]:
        """Run git, never anything from the tree (`NO_TREE_CODE`), with `given` as its input;
        `literal`: paths are plain names, no globs or pathspec magic (`check-ignore` refuses it)."""
        flags = ("--literal-pathspecs",) if literal else ()
        status, out, err = self._cmd.run(["git", *flags, *_GLOBAL, *args], env=env, given=given)
        return status, out.decode("utf-8", errors), err

    def git(self, *args: str, env: Mapping[str, str] | None = None,
             errors: str = "surrogateescape") -> str:
        status, out, err = self.try_git(*args, env=env, errors=errors)
        if status != 0:
            raise failed(f"git {' '.join(args[:2])}", self.root, status, err)
        return out

    def _commit(self, rev: str) -> str | None:
        """The commit id `rev` names; None for an unborn HEAD; an error for anything else."""
        if (known := self.refs.get(rev)) is not None:  # a full id seen, a held ref
            return known
        status, out, err = revisions.commit_of(self.try_git, rev)
        if status == 0:
            commit = out.strip()
            self.refs.learn(rev, commit)
            return commit
        if rev == "HEAD" and self.current_branch() is not None:
            return None
        raise revisions.bad_revision(self.try_git, rev, err)

    def _exists(self, ref: str) -> bool:
        return self.try_git("show-ref", "--verify", "--quiet", ref)[0] == 0

    def _empty_tree(self) -> str:  # its id depends on the object format (SHA-1 or SHA-256)
        if self._empty is None:
            self._empty = self.git("hash-object", "-t", "tree", os.devnull).strip()
        return self._empty

    def git_path(self, name: str) -> Path:  # where git keeps `name`: index, info/exclude
        # (not hooks: NO_TREE_CODE points those at /dev/null; see git/hooks.py)
        if name not in self._git_paths:
            self._git_paths[name] = self.root / self.git("rev-parse", "--git-path", name).strip()
        return self._git_paths[name]

    def _paths(self, paths: Iterable[str | os.PathLike[str]] | None) -> list[str]:
        return repository_relative(self.root, paths)

    @contextmanager
    def _temp_index(self, *, seed: bool) -> Iterator[dict[str, str]]:
        """A throw-away index (a copy of the real one when `seed`, for its stat cache)."""
        with tempfile.TemporaryDirectory(prefix="reviewloop-index-") as tmp:
            index = os.path.join(tmp, "index")
            real = self.git_path("index")
            if seed and real.exists():
                # copy2 keeps the index's mtime: git trusts a cached stat only when the file
                # is older than the index, and a copy stamped "now" would make a file edited
                # within the same clock tick as the last commit look unchanged (racy git).
                shutil.copy2(real, index)
            yield {"GIT_INDEX_FILE": index}
