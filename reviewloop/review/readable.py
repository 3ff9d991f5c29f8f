"""Which changed files may be read: the one rule, for the analyzers and for the models.

Analyzers read every changed text file: `analyzable` is the one rule for what they leave
out (symlinks, anything outside the checkout, files over the diff's ceiling, binaries: a
file of no known language that looks like a binary format, `reviewloop.git.languages`), and
each analyzer's own size limit is the coverage matrix's (`review.evidence`). A model reads less:
`unreadable_reason` adds the prompt's size limit, and `skipped_reason` what no model may read
(sensitive files: analysed, their content never in a prompt).

`Readability` asks the file system once per path and once per folder on the way, for a
caller asking about many files at once (a reviewer's scope, a round's chunks, the run
summary): resolving every file's path from `/` cost a dozen `lstat`s per file, each time
it was asked. It answers for the tree as it was when first asked, so it lives for one
batch of questions, never across rounds (a fix changes the tree). What a file's content says
is remembered longer, by the file's identity and change times (`_content`).
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from reviewloop.git import lfs
from reviewloop.git.encodings import opaque_source_encoding, wide_encoding
from reviewloop.git.executed import EXECUTE_BITS, runs_as
from reviewloop.git.kept_modes import EXECUTABLE, LINK, kept_modes
from reviewloop.git.languages import BINARY_PROBE, PYTHON, SHELL, head, is_binary, language
from reviewloop.git.names import joined, on_disk
from reviewloop.git.reads import batched, lstat, one_read, read_bytes, read_text
from reviewloop.git.sizes import MAX_DIFFED_BYTES, MAX_FILE_BYTES
from reviewloop.git.trampolines import handed_to
from reviewloop.policy.sensitive import is_sensitive

MAX_ANALYZED_BYTES = MAX_DIFFED_BYTES  # over it the diff shows no lines (git.sizes)
MAX_PROMPT_BYTES = MAX_FILE_BYTES
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP, errno.ENAMETOOLONG)
SENSITIVE_REASON = "may hold secrets: analysed, never sent to a model or committed"
SENSITIVE_UNREAD = "may hold secrets: never sent to a model or committed, and not analysed"
SYMLINK_REASON = "a symlink: reviewed as a link, its target is never read"
NOT_A_FILE = "not a regular file"  # a submodule, a folder, a device


BINARY_REASON = "a binary file"
TOO_LARGE = "too large to analyze"
OPAQUE_SOURCE = "declares the source encoding"
# what no analyzer reads though it is text a change wrote: the coverage matrix names it
NOT_ANALYSED = (OPAQUE_SOURCE, lfs.REASON)


class _Answer(NamedTuple):  # made for every changed file: a tuple, not a frozen dataclass
    exists: bool
    reason: str | None = None  # why no analyzer reads it
    size: int = 0
    language: str | None = None
    encoding: str | None = None  # UTF-16 or UTF-32's codec; None: UTF-8 (`git.encodings`)
    # the other language it runs as: executable, the shell `./path` runs it as
    # (`git.executed`); a shell script, what it hands itself to (`git.trampolines`)
    shell: str | None = None


class Readability:
    """The answers for the changed files under `root`, each computed once."""

    @classmethod
    def of(cls, root: Path) -> Readability:
        """The review's shared answers for `root` while `one_batch(root)` holds (a tree no
        one writes to while it is read), else a new batch."""
        shared = _BATCHES.get(os.fspath(root))
        return shared if shared is not None else cls(root)

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        self._real_root = root.resolve()
        self._folders: dict[str, Path] = {".": self._real_root}
        self._inside_folders: dict[str, bool] = {}
        self._answers: dict[str, _Answer] = {}
        self._skipped: dict[tuple[str, tuple[str, ...]], str | None] = {}
        self._kept: Mapping[str, str] | None = None  # `git.kept_modes`, asked at the first look

    def unreadable(self, path: str) -> str | None:
        """Why no model reads the content of the changed file `path` (no analyzer either,
        unless it is only too large for a prompt), or None when it is a readable text file
        (or deleted)."""
        return self.check(path)[1]

    def readable(self, path: str) -> bool:
        """Whether `path` is there, as a text file an analyzer may read."""
        answer = self._answer(path)
        return answer.exists and answer.reason is None

    def analyzable(self, path: str) -> str | None:
        """Why no analyzer may read the changed file `path`, or None when one may (or it is
        deleted)."""
        return self._answer(path).reason

    def shell(self, path: str) -> str | None:
        """The other language `path` runs as, beside its own: the shell it runs as, executable
        here (`git.executed`), or the Python or JavaScript a shell script hands itself to
        (`git.trampolines`)."""
        return self._answer(path).shell

    def size(self, path: str) -> int:
        return self._answer(path).size

    def language(self, path: str) -> str | None:
        """The language of `path` by name or shebang (`reviewloop.git.languages`)."""
        return self._answer(path).language

    def encoding(self, path: str) -> str | None:
        """The UTF-16 or UTF-32 codec `path` is in, or None: UTF-8 (`git.encodings`)."""
        return self._answer(path).encoding

    def facts(self, paths: Sequence[str]) -> tuple[dict[str, str | None], dict[str, int],
                                                    dict[str, str]]:
        """(`language`, `size`, `encoding` when it has one) of each of `paths`, from one
        look-up a path: every reviewer's analyzers ask all three of each file in their scope
        (3 × 5 × 5,000 calls at 5,000 files)."""
        answers = list(map(self._answer, paths))
        return ({p: a.language for p, a in zip(paths, answers, strict=True)},
                {p: a.size for p, a in zip(paths, answers, strict=True)},
                {p: a.encoding for p, a in zip(paths, answers, strict=True) if a.encoding})

    def skipped(self, path: str, sensitive: Sequence[str] = ()) -> str | None:
        """Why the content of `path` may not reach a model reviewer, or None when it may
        (a deleted file has no content and no reason)."""
        if not sensitive:
            return self.unreadable(path)
        key = (path, tuple(sensitive))  # asked by the chunks and the summary: judged once
        if key not in self._skipped:  # a link is named as one, not as sensitive
            secret = is_sensitive(path, sensitive) and not os.path.islink(self.root / path)
            reason = self.unreadable(path)
            if secret:  # analysed only when an analyzer may read it (not a binary, say)
                unread = self.analyzable(path)
                reason = SENSITIVE_REASON if unread is None else f"{SENSITIVE_UNREAD} ({unread})"
            self._skipped[key] = reason
        return self._skipped[key]

    def text_start(self, path: str, limit: int, *, newlines: bool = True) -> str:
        """The first `limit` characters of the changed file `path` as it is in the tree (""
        when it is not there or may not be read): the answer already says whether it is a
        regular file, so only the file is opened (no `Path` made, no `stat` again). With
        `newlines`, read with universal newlines; without, its line ends as they are (to
        number its lines as git does: a lone CR is inside one)."""
        exists, reason = self.check(path)
        if reason is not None or not exists:
            return ""
        try:  # in a batch, the one read of the file the other steps share (`git.reads`)
            full = joined(self._root, on_disk(path))
            if not newlines:
                return read_bytes(self._root, full).decode("utf-8", "replace")[:limit]
            return read_text(self._root, full, "replace", limit)
        except (FileNotFoundError, NotADirectoryError):  # gone since it was asked
            return ""

    def check(self, path: str) -> tuple[bool, str | None]:
        """(whether `path` is there, why a model may not read it)."""
        answer = self._answer(path)
        if answer.reason is None and answer.size > MAX_PROMPT_BYTES:
            return True, (f"too large for a model ({answer.size:,} bytes; the limit is "
                          f"{MAX_PROMPT_BYTES:,}): analysed, never sent")
        return answer.exists, answer.reason

    def _answer(self, path: str) -> _Answer:
        answer = self._answers.get(path)  # one look-up: asked ~95,000 times at 5,000 files
        if answer is None:
            answer = self._answers[path] = self.look(path)
        return answer

    def look(self, path: str) -> _Answer:
        """The file system's answer for `path`, asked anew (the other methods ask once per
        path and remember it)."""
        # a string, not a Path: built for each of 5,000 files, a Path cost more than the
        # lstat (`under`'s join, as the file system has the name)
        disk = on_disk(path)
        full = joined(self._root, disk)
        try:
            info = lstat(self._root, full)  # in a batch, the suppressions' look too
        except ValueError:  # a NUL in the name (a model may write one): no such file exists
            return _Answer(False)
        except OSError as exc:  # not there, as `Path.exists` reads it; anything else is raised
            if exc.errno in _NOT_THERE:
                return _Answer(False)
            raise
        if self._kept is None:  # once a batch: two stats a file were 10,000 at 5,000 files
            self._kept = kept_modes(self._root)
        kept = self._kept.get(path)  # the index's mode, where the disk cannot show it
        if stat.S_ISLNK(info.st_mode) or kept == LINK:  # `core.symlinks = false`'s link too
            return _Answer(True, SYMLINK_REASON)
        if not self._inside(disk):  # a folder on the way may be a link
            return _Answer(True, "leads outside the repository")
        if not stat.S_ISREG(info.st_mode):
            return _Answer(True, NOT_A_FILE)
        answer = _content(full, path, info, self._root)
        if info.st_mode & EXECUTE_BITS or kept == EXECUTABLE:  # executable files are few
            return answer._replace(shell=runs_as(path, head(full)) or answer.shell)
        return answer

    def _inside(self, path: str) -> bool:
        """Whether `path`, not a link itself, really is inside the repository: its folder's
        real place (`Path.resolve`'s answer, each folder resolved once) is."""
        parts = path.split("/")
        if path.startswith("/") or ".." in parts or not path:
            return (self.root / path).resolve().is_relative_to(self._real_root)
        folder = "/".join(parts[:-1]) or "."
        if folder not in self._inside_folders:  # one answer a folder, not one a file
            self._inside_folders[folder] = self._real_folder(folder).is_relative_to(
                self._real_root)
        return self._inside_folders[folder]

    def _real_folder(self, folder: str) -> Path:
        """Where the repo-relative `folder` really is: its parent's real place and its own
        name, unless it is a link, which is resolved in full. Iterative: the folders not yet
        known are walked down from the deepest known one (a file 1,000 folders deep is no
        recursion 1,000 calls deep)."""
        pending = []
        at = folder
        while at not in self._folders:
            pending.append(at)
            if at == ".":
                break
            at = at.rpartition("/")[0] or "."
        for name in reversed(pending):
            full = self.root / name
            parent = name.rpartition("/")[0] or "."
            self._folders[name] = full.resolve() if os.path.islink(full) \
                else self._folders[parent] / name.rpartition("/")[2]
        return self._folders[folder]


def _content(full: str, path: str, info: os.stat_result, root: str) -> _Answer:
    """What a regular file's content says (binary, its language, too large), remembered by
    the file's identity and change times: a round asks about each changed file from half a
    dozen places, and the next round again unless a fix rewrote it."""
    key = (full, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    with _LOCK:
        answer = _CONTENT.get(key)
    if answer is None:
        answer = _read_content(full, path, info.st_size, root)
        with _LOCK:  # parallel reviewers ask at once
            _CONTENT[key] = answer
            if len(_CONTENT) > _REMEMBERED:
                del _CONTENT[next(iter(_CONTENT))]  # the oldest first: a bounded memory
    return answer


def _read_content(full: str, path: str, size: int, root: str) -> _Answer:
    start = _start(full, size, root)
    if is_binary(path, start):  # whatever its size: a binary file is nobody's to read
        return _Answer(True, BINARY_REASON, size)
    known = language(path, start)
    if lfs.is_pointer(start, size):
        return _Answer(True, lfs.REASON, size, known)
    if known == PYTHON and (codec := opaque_source_encoding(start)) is not None:
        return _Answer(True, f"{OPAQUE_SOURCE} {codec} (PEP 263): Python runs other code "
                             "than its bytes show to the analyzers", size, known)
    if size > MAX_ANALYZED_BYTES:
        return _Answer(True, f"{TOO_LARGE} ({size:,} bytes; the limit is "
                             f"{MAX_ANALYZED_BYTES:,})", size, known)
    return _Answer(True, None, size, known, wide_encoding(start),
                   handed_to(path, start) if known == SHELL else None)


def _start(full: str, size: int, root: str) -> bytes:
    """The file's first bytes (`git.languages.head`); in a batch, from the one read of the
    whole file that the steps reading it share (`git.reads`), when a model could read it."""
    if size > MAX_PROMPT_BYTES or not batched(root):
        return head(full)
    try:
        return read_bytes(root, full)[:BINARY_PROBE]
    except OSError:
        return b""


_REMEMBERED = 65_536  # files' answers: a few MB at most
_CONTENT: dict[tuple[str, int, int, int, int, int], _Answer] = {}
_LOCK = threading.Lock()


@contextmanager
def one_batch(root: Path) -> Iterator[None]:
    """`Readability.of(root)` answers from one batch inside: each of a review's steps
    (every reviewer's analyzers, the chunks, the classification, the coverage matrix, the
    summary) asked the file system about every changed file again, 45,000 lstats for a
    5,000-file change. For a tree that does not change meanwhile: a review with no fixer."""
    key = os.fspath(root)
    outer = _BATCHES.get(key)
    _BATCHES[key] = outer or Readability(root)
    try:
        with one_read(root):  # and each changed file's content read once (`git.reads`)
            yield
    finally:
        if outer is None:
            del _BATCHES[key]


_BATCHES: dict[str, Readability] = {}  # root -> the batch `one_batch` holds open


def unreadable_reason(root: Path, path: str) -> str | None:
    """Why nothing reads the content of the changed file `path` (see `Readability`)."""
    return Readability.of(root).unreadable(path)


def skipped_reason(root: Path, path: str, sensitive: Sequence[str] = ()) -> str | None:
    """Why the content of the changed file `path` may not reach a model reviewer, or None
    when it may. Analyzers ask `unreadable_reason` instead: a sensitive file is analysed,
    only kept out of prompts."""
    return Readability.of(root).skipped(path, sensitive)


def skipped_files(root: Path, paths: Iterable[str], sensitive: Sequence[str] = ()) -> list[str]:
    """`path: reason` for every changed file whose content was not read."""
    files = Readability.of(root)
    return [f"{p}: {reason}" for p in sorted(set(paths))
            if (reason := files.skipped(p, sensitive)) is not None]


def left_out_reasons(modes: Mapping[str, str], paths: Iterable[str]) -> list[str]:
    """`path: reason` for the changed `paths` among a commit's links and submodules (`modes`,
    `git.export.left_out`): a head commit's export holds neither, so its tree cannot say."""
    return [f"{p}: {SYMLINK_REASON if modes[p] == '120000' else NOT_A_FILE}"
            for p in sorted(set(paths)) if p in modes]
