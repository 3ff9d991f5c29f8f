"""The repository's history as data for `reviewloop bench`: commits and their messages, the
lines a commit removed, who last wrote a line (blame), and a patch turned into a commit."""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.git.diff import FileDiff, FileStatus, hunks, parse_diff
from reviewloop.git.diff_headers import SUBMODULE
from reviewloop.git.names import from_bytes, on_disk, shown
from reviewloop.git.opaque_blobs import BINARY, opaque
from reviewloop.git.repository import Repository
from reviewloop.git.revisions import commit_of

_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# more `-L` ranges than this and the whole file is blamed once: one pair per run of lines
# of a fix that changed every other line of a 300,000-line file passed git's argv limit
_MOST_RANGES = 1000
_HEADER = re.compile(r"^([0-9a-f]{40,64}) (\d+) (\d+)(?: \d+)?$")
# A commit made from a patch is the same object whenever the same patch is applied to the
# same base: a resumed bench finds its case again by id.
_FIXED_IDENTITY = {f"GIT_{who}_{key}": value for who in ("AUTHOR", "COMMITTER")
                   for key, value in (("NAME", "reviewloop bench"),
                                      ("EMAIL", "bench@reviewloop.invalid"),
                                      ("DATE", "1970-01-01T00:00:00+0000"))}


@dataclass(frozen=True)
class Commit:
    """One commit: its id, its parents (first parent first) and its whole message."""

    sha: str
    parents: tuple[str, ...]
    message: str

    @property
    def subject(self) -> str:
        return self.message.strip().splitlines()[0] if self.message.strip() else ""


@dataclass(frozen=True)
class RemovedLine:
    """A line a commit removed (or changed): where it was in the commit's parent."""

    path: str  # in the parent
    line: int  # 1-based, in the parent's file
    text: str


@dataclass(frozen=True)
class Origin:
    """Where a line came from: the commit that last wrote it, and the line there."""

    commit: str
    path: str  # in that commit
    line: int  # 1-based, in that commit's version of the file
    boundary: bool = False  # the commit is a root (or past a shallow clone's edge)


def log(repo: Repository, rev: str = "HEAD") -> list[Commit]:
    """The commits reachable from `rev` (a ref or a range such as `v1.0..HEAD`), newest
    first, merges left out."""
    # `--output=F` behind --end-of-options is a bad revision; `--` there still ends the revs
    # (an empty history, exit 0): no rev starts with `-` (git branch and tag refuse one)
    status, out, err = (128, "", f"{rev!r} is not a revision") if rev.startswith("-") else \
        repo.try_git("log", "--no-merges", "--format=%H%x1f%P%x1f%B%x1e", "--end-of-options",
                     rev, "--")
    if status != 0:
        raise UserInputError(f"cannot read the history {rev!r}: {err.strip()}", where="--rev",
                             fix="name a branch, a commit or a range such as v1.0..HEAD")
    commits = []
    for record in out.split("\x1e"):
        if not record.strip():
            continue
        sha, parents, message = record.lstrip("\n").split("\x1f", 2)
        commits.append(Commit(sha, tuple(parents.split()), message))
    return commits


def shallow_cut(repo: Repository) -> frozenset[str] | None:
    """The commits a shallow clone holds without their parents (its cut: `git log` shows
    them as roots, and blame as boundaries); None in a full clone."""
    if repo.try_git("rev-parse", "--is-shallow-repository")[1].strip() != "true":
        return None
    where = repo.try_git("rev-parse", "--path-format=absolute", "--git-path", "shallow")[1]
    try:
        return frozenset(Path(where.strip()).read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):  # shallow, its list unreadable: the cut unknown
        return frozenset()


def commit(repo: Repository, rev: str) -> Commit:
    """The commit `rev` names (an error naming `rev` when it names none). `rev` comes from
    the user or a file (`--fix`, `--fixes`, a case's `base`): it reaches git only through
    `rev-parse --verify --end-of-options`, so `--output=FILE` is an unknown commit, never
    an option."""
    status, out, err = commit_of(repo.try_git, rev)
    sha = out.strip()
    if status == 0 and _ID.fullmatch(sha):
        status, out, err = repo.try_git("log", "-1", "--format=%H%x1f%P%x1f%B", sha, "--")
    fields = out.split("\x1f", 2)
    if status != 0 or not _ID.fullmatch(sha) or len(fields) != 3:
        raise UserInputError(f"unknown commit {rev!r}" + (f": {err.strip()}" if err.strip()
                                                          else ""), where=rev,
                             fix="name a commit of this repository (fetch it first)")
    return Commit(fields[0].strip(), tuple(fields[1].split()), fields[2])


@dataclass(frozen=True)
class FixLines:
    """What a commit removed or changed from its parent: the lines SZZ traces, and the files
    it changed whose lines are not traced, each as "path: why"."""

    removed: list[RemovedLine]
    untraced: list[str]


def fix_lines(repo: Repository, parent: str, child: str) -> FixLines:
    """The lines `child` removed or changed from `parent`, in files it modified or renamed;
    a file it deleted, replaced by another kind of file (a symlink, a folder), a submodule
    it moved or a binary file is named with why its lines are not traced."""
    changes = parse_diff(repo.diff_refs(parent, child, merge_base=False, context=0),
                         source=f"{parent[:12]}..{child[:12]}")
    added = {d.path for d in changes.files if d.status is FileStatus.ADDED}
    removed: list[RemovedLine] = []
    untraced: list[str] = []
    for diff in changes.files:
        if (why := _untraced(diff, added)) is not None:
            untraced.append(f"{diff.old_path or diff.path}: {why}")
            continue
        if diff.status not in (FileStatus.MODIFIED, FileStatus.RENAMED):
            continue  # an added file replaced nothing
        if opaque(repo, diff.path, child) or opaque(repo, diff.old_path or diff.path, parent):
            untraced.append(f"{diff.old_path or diff.path}: {BINARY}")  # `git.opaque_blobs`
            continue
        for hunk in hunks(diff) or ():
            removed += [RemovedLine(diff.old_path or diff.path, line.source_line_no,
                                    line.value.rstrip("\r\n"))
                        for line in hunk if line.is_removed]
    return FixLines(removed, untraced)


def _untraced(diff: FileDiff, added: set[str]) -> str | None:
    """Why the lines a commit removed from this file are not traced (None: they are, or it
    removed none)."""
    if diff.status is FileStatus.DELETED:
        if diff.path in added or any(a.startswith(f"{diff.path}/")
                                     or diff.path.startswith(f"{a}/") for a in added):
            return ("replaced by another kind of file (a symlink, a folder or a file): not "
                    "traced (its lines went with it, not fixed)")
        return "deleted: not traced (a deleted file is gone, not fixed)"
    if diff.status is FileStatus.ADDED:
        return None
    if diff.mode == SUBMODULE:
        return "a submodule: its commits are another repository's history, not traced"
    if diff.binary:
        return "a binary file: no lines to trace"
    return None


def removed_lines(repo: Repository, parent: str, child: str) -> list[RemovedLine]:
    """The lines `child` removed or changed from `parent` that SZZ traces (`fix_lines`)."""
    return fix_lines(repo, parent, child).removed


def blame(repo: Repository, rev: str, path: str, lines: Iterable[int]) -> list[Origin]:
    """Who last wrote each of `lines` of `path` at `rev` (whitespace changes ignored, lines
    moved within a file followed), in line order."""
    wanted = sorted(set(lines))
    if not wanted:
        return []
    runs = _runs(wanted)
    ranges = [arg for start, end in runs for arg in ("-L", f"{start},{end}")] \
        if len(runs) <= _MOST_RANGES else []  # many: the whole file, then the lines wanted
    # git blame knows no --end-of-options (2.39): a rev that is no commit id is resolved first
    sha = rev if _ID.fullmatch(rev) else commit(repo, rev).sha
    status, out, err = repo.try_git("blame", "--line-porcelain", "-w", "-M", *ranges, sha,
                                    "--", on_disk(path))
    if status != 0 and "could not open object name list" in err:
        raise UserInputError(
            f"git blame of {path} failed: your git configuration's blame.ignoreRevsFile names "
            f"a file this repository does not have ({err.strip()}); reviewloop's blame ignores "
            "no commit, but git opens the file first", where="blame.ignoreRevsFile",
            fix="set it per repository instead (git config --global --unset-all "
                "blame.ignoreRevsFile; git config blame.ignoreRevsFile FILE where FILE exists)")
    if status != 0:
        raise UserInputError(f"git blame of {path} at {rev[:12]} failed: {err.strip()}",
                             where=path, fix="check that the commit and the file exist")
    chosen = set(wanted)
    return [origin for final, origin in _porcelain(out) if ranges or final in chosen]


def line_count(repo: Repository, rev: str, path: str) -> int | None:
    """How many lines the file `path` has at `rev`; None when `rev` has no file there (no
    such path, a folder, a submodule)."""
    text = file_text(repo, rev, path)
    if text is None:
        return None
    return text.count("\n") + (not text.endswith("\n") and bool(text))


def file_text(repo: Repository, rev: str, path: str) -> str | None:
    """The text of the file `path` at `rev` (bytes that are not UTF-8 as surrogates); None
    when `rev` has no file there, or no file could be so named (a NUL in it)."""
    if "\0" in path or "\0" in rev:
        return None
    status, out, _ = repo.try_git("cat-file", "blob", "--end-of-options",
                                  f"{rev}:{on_disk(path)}")
    return out if status == 0 else None


def _runs(lines: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in lines:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _porcelain(out: str) -> list[tuple[int, Origin]]:
    """`git blame --line-porcelain`: a header per line, its keys, then the line after a tab;
    each line's number in the blamed version, and its origin. Rows end at "\n" only: a
    `filename` row holds U+2028, U+0085, \\x1c… as they are, where `str.splitlines` breaks."""
    origins = []
    sha, line, final, path, boundary = "", 0, 0, "", False
    for row in out.split("\n"):
        if row.startswith("\t"):
            origins.append((final, Origin(sha, path, line, boundary)))
            sha, line, final, path, boundary = "", 0, 0, "", False
        elif (match := _HEADER.match(row)) and not sha:
            sha, line, final = match.group(1), int(match.group(2)), int(match.group(3))
        elif row.startswith("filename "):
            path = _unquoted(row[len("filename "):])
        elif row == "boundary":
            boundary = True
    return origins


def _unquoted(name: str) -> str:
    """A porcelain `filename` in text form (`git.names`): git C-quotes a name holding `"`,
    `\\`, a tab, a line break or another control character ("quo\\"te.py"); other bytes come
    as they are (`core.quotePath=false`), a byte that is not UTF-8 as its surrogate."""
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        raw = name[1:-1].encode("utf-8", "surrogateescape")
        return from_bytes(codecs.escape_decode(raw)[0])
    return shown(name)


def commit_patch(repo: Repository, base: str, diff_text: str, message: str) -> str:
    """A commit whose parent is `base` and whose tree is `base`'s with `diff_text` applied
    (no ref, index or working tree changes); the same patch on the same base gives the same
    commit. A patch that does not apply is the user's error, named."""
    base_id = commit(repo, base).sha
    with tempfile.TemporaryDirectory(prefix="reviewloop-patch-") as tmp:
        env = {**_FIXED_IDENTITY, "GIT_INDEX_FILE": os.path.join(tmp, "index")}
        patch = Path(tmp) / "case.diff"
        patch.write_text(diff_text if diff_text.endswith("\n") else diff_text + "\n",
                         encoding="utf-8")
        repo.git("read-tree", base_id, env=env)
        status, _, err = repo.try_git("apply", "--cached", "--whitespace=nowarn", str(patch),
                                      env=env)
        if status != 0:
            raise UserInputError(f"the case's diff does not apply to {base_id[:12]}: "
                                 f"{err.strip()}",
                                 fix="give the commit the diff was made against as `base`")
        tree = repo.git("write-tree", env=env).strip()
        return repo.git("commit-tree", tree, "-p", base_id, "-m", message, env=env).strip()
