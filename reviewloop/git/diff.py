"""Unified diffs as data: the files and new-file lines a change touches, the places where it
removed lines, and subsets of it."""

from __future__ import annotations

import codecs
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from reviewloop.errors import UserInputError
from reviewloop.git.diff_headers import PREFIX, header_mode
from reviewloop.git.diff_plain import plain_files
from reviewloop.git.hunk_lines import AddedLine, FileLines, Lines, file_lines
from reviewloop.git.names import from_bytes
from reviewloop.memo import TextMemo, no_cycle_collection

_DEV_NULL = "/dev/null"
_LINE = itemgetter(0)  # an `AddedLine`'s number
_FIX = "pass the output of `git diff` (or a pull request's .diff) unedited and untruncated"


class FileStatus(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


class _Derived(BaseModel):
    """A frozen model whose `cached_property` values are computed once from its fields; a
    copy (`model_copy`, which would carry them over) computes them afresh."""

    def model_copy(self, *, update: Mapping[str, Any] | None = None,
                   deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        for name in [n for n in copy.__dict__ if isinstance(
                getattr(type(copy), n, None), cached_property)]:
            vars(copy).pop(name)
        return copy


class FileDiff(_Derived):
    """One file of a diff. Binary files are listed with no lines."""

    model_config = ConfigDict(frozen=True)

    path: str  # the new path; the old one for a deleted file
    old_path: str | None = None  # None for an added file
    status: FileStatus
    binary: bool = False
    added: tuple[AddedLine, ...] = ()
    removed: int = 0
    # new-file line ranges each hunk shows (added + context): what a review comment can anchor on
    hunks: tuple[tuple[int, int], ...] = ()
    # where lines were removed: new-file line k for lines removed between line k and k + 1
    # (0: before the first line), one entry per run of removed lines
    removals: tuple[int, ...] = ()
    text: str = ""  # this file's part of the diff, verbatim (up to the next file)

    @cached_property
    def mode(self) -> str | None:
        """The mode its header gives the file as the change leaves it (`diff_headers.LINK`:
        a symlink), or None when it gives none (`diff_headers.header_mode`)."""
        return header_mode(self.text)

    @cached_property
    def added_lines(self) -> tuple[int, ...]:
        """New-file numbers of the added lines, ascending (computed once per file)."""
        return tuple(sorted(map(_LINE, self.added)))

    def adds_between(self, start: int, end: int) -> bool:
        """Whether any line in start..end (inclusive) was added."""
        lines = self.added_lines
        at = bisect_left(lines, start)
        return at < len(lines) and lines[at] <= end

    def touches(self, start: int, end: int) -> bool:
        """Whether lines start..end hold an added line or span a place where lines were
        removed (a deleted `encrypted = true` inside the flagged resource)."""
        return self.adds_between(start, end) or removed_within(self.removals, start, end)

    @property
    def changed_ranges(self) -> tuple[tuple[int, int], ...]:
        """Added lines merged into inclusive (start, end) runs."""
        ranges: list[tuple[int, int]] = []
        for n in self.added_lines:
            if ranges and n == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], n)
            else:
                ranges.append((n, n))
        return tuple(ranges)


class DiffStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    files: int
    added: int
    removed: int


class ChangeSet(_Derived):
    """A parsed diff: plain data, safe to keep in graph state."""

    model_config = ConfigDict(frozen=True)

    source: str = "diff"
    files: tuple[FileDiff, ...] = ()

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Each file's path, in diff order (asked by every step of a review)."""
        return tuple(f.path for f in self.files)

    def file(self, path: str) -> FileDiff | None:
        return self._by_path.get(path)

    @cached_property
    def _by_path(self) -> dict[str, FileDiff]:
        found: dict[str, FileDiff] = {}
        for diff in self.files:  # the first, as a linear search would find; but a path
            # deleted and added again (git's type change: a link made a file, or the
            # reverse) is the file it now is, never "only deleted"
            if diff.path not in found or found[diff.path].status is FileStatus.DELETED:
                found[diff.path] = diff
        return found

    def changed_lines(self, path: str) -> set[int]:
        """New-file line numbers added in `path` (empty for a file not in the diff)."""
        found = self.file(path)
        return set(found.added_lines) if found else set()

    def contains(self, path: str, start: int, end: int | None = None,
                 *, added_only: bool = False) -> bool:
        """Whether lines start..end of `path` are part of the change.

        By default that means shown by a hunk (added or context lines, so a finding about a
        removal still lands); `added_only` asks for an overlap with added lines.
        """
        found = self.file(path)
        last = start if end is None else end
        if found is None:
            return False
        if added_only:
            return found.adds_between(start, last)
        return any(lo <= last and start <= hi for lo, hi in found.hunks)

    def touches(self, path: str, start: int, end: int | None = None) -> bool:
        """Whether lines start..end of `path` are what the change did: they hold an added
        line, or span a place where it removed lines (`FileDiff.touches`)."""
        found = self.file(path)
        return found is not None and found.touches(start, start if end is None else end)

    def filter(self, paths: Iterable[str]) -> ChangeSet:
        """The files whose new or old path is in `paths`, in diff order."""
        wanted = set(paths)
        kept = tuple(f for f in self.files if f.path in wanted or f.old_path in wanted)
        return self.model_copy(update={"files": kept})

    def stats(self) -> DiffStats:
        return DiffStats(files=len(self.files), added=sum(len(f.added) for f in self.files),
                         removed=sum(f.removed for f in self.files))


def changed_lines(diff_text: str) -> dict[str, set[int]]:
    """Per changed path, the new-file numbers of its added lines."""
    changes = parse_diff(diff_text)
    return {path: changes.changed_lines(path) for path in changes.paths}


def removal_points(diff_text: str) -> dict[str, set[int]]:
    """Per changed path, where the change removed lines (`FileDiff.removals`)."""
    return {f.path: set(f.removals) for f in parse_diff(diff_text).files}


def removed_within(points: Sequence[int], start: int, end: int) -> bool:
    """Whether lines start..end span one of the removal `points` (ascending): lines were
    removed between two lines of the range. The one rule for "a deletion inside this
    range"."""
    at = bisect_left(points, start)
    return at < len(points) and points[at] < end


def save_diff(path: Path, text: str) -> None:
    """Write a diff as it is: no newline translated (a CR inside a line is the file's
    content, and read back as a line end it would break the hunk it stands in)."""
    path.write_text(text, encoding="utf-8", newline="")


def read_diff(path: str | Path) -> str:
    """A diff `save_diff` wrote, exactly as it was given."""
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def parse_diff(text: str, source: str = "diff") -> ChangeSet:
    """Parse unified diff text; `source` names it in errors (a file path, "git diff", a PR)."""
    if not text:  # nothing changed (the working tree since a round began, often)
        return ChangeSet(source=source)
    parsed = _PARSED.get(text, lambda: _parsed(text, source))
    return parsed if parsed.source == source else parsed.model_copy(update={"source": source})


# The same diff is parsed by every reviewer, analyzer and gate of a round; a ChangeSet is
# frozen, so the last few are kept, whatever their size (bounded: a 20k-line diff is a few
# MB): a review parses its diff once.
_PARSED: TextMemo[ChangeSet] = TextMemo(keep=4, from_chars=0)


def parsed_count() -> int:
    """How many diffs this process parsed rather than found among the kept ones (an empty
    one is never parsed): a review parses its diff once, whoever asks for it (a test
    counts)."""
    return _PARSED.computed


def _parsed(text: str, source: str) -> ChangeSet:
    with no_cycle_collection():  # a few objects per line, no cycle: linear without it
        return _parse(text, source)


def _parse(text: str, source: str) -> ChangeSet:
    lines = Lines(_normalise_eol(text))
    plain = plain_files(lines.all)
    if plain is None:
        return _read(lines, text, source)
    return ChangeSet(source=source, files=tuple(_constructed({
        "path": f.path, "old_path": f.old_path, "status": _STATUS[f.status],
        "binary": f.binary, "added": f.added, "removed": f.removed, "hunks": f.hunks,
        "removals": f.removals, "text": f.text}) for f in plain))


_STATUS = {status.value: status for status in FileStatus}
_FIELDS, _NEW, _SET = tuple(FileDiff.model_fields), FileDiff.__new__, object.__setattr__


def _constructed(fields: dict[str, Any]) -> FileDiff:
    """`FileDiff.model_construct(**fields)` of all fields without its loop over them (4.5
    against 1.6 µs a file; `tests/git/test_diff_plain.py` holds the two alike)."""
    diff = _NEW(FileDiff)
    _SET(diff, "__dict__", fields)
    _SET(diff, "__pydantic_fields_set__", set(_FIELDS))
    _SET(diff, "__pydantic_extra__", None)
    _SET(diff, "__pydantic_private__", None)
    return diff


def read_in_general(text: str, source: str = "diff") -> ChangeSet:
    """`parse_diff` without its shortcut for git's plain output (`diff_plain`): any diff
    unidiff reads, read by it (uncached)."""
    return _read(Lines(_normalise_eol(text)), text, source)


def _read(lines: Lines, text: str, source: str) -> ChangeSet:
    parsed = lines.parsed()
    try:  # the headers and each hunk's counts; the lines are read by `file_lines`
        patch = PatchSet(parsed, metadata_only=True)
    except UnidiffParseError:
        patch = _patch(lines, source, metadata_only=True)  # again, counting, to say where
    if not patch and text.strip():
        first = next(i for i, line in enumerate(lines.all, 1) if line.strip())
        raise UserInputError("not a unified diff: no `diff --git` or `---`/`+++` file header",
                             where=f"{source}:{first}", fix=_FIX)
    starts: list[int] = []
    for pf in patch:
        starts.append(_start(pf, lines.all, floor=starts[-1] + 1 if starts else 1))
    ends = [start - 1 for start in starts[1:]] + [len(lines.all)]
    found = [file_lines(pf, lines.all, a - 1, b) for pf, a, b in zip(patch, starts, ends,
                                                                     strict=False)]
    read = [f for f in found if f is not None]
    if len(read) < len(found):  # not as the parser counted: its own lines (never seen)
        read = list(map(_lines, _patch(lines, source, metadata_only=False)))
    texts = ["".join(lines.all[a - 1:b]) for a, b in zip(starts, ends, strict=False)]
    return ChangeSet(source=source, files=tuple(map(_file, patch, texts, read)))


def _patch(lines: Lines, source: str, *, metadata_only: bool) -> PatchSet:
    try:
        return PatchSet(lines, metadata_only=metadata_only)
    except UnidiffParseError as exc:
        raise _parse_error(source, lines, str(exc)) from None


def hunks(diff: FileDiff) -> list[Any] | None:
    """The hunks of one file's part of a diff, read as `parse_diff` reads them (names with
    spaces included); None when it is not one file's readable diff."""
    try:
        patch = PatchSet(Lines(_normalise_eol(diff.text)))
    except UnidiffParseError:
        return None
    return list(patch[0]) if len(patch) == 1 else None


def render(diff: ChangeSet | str, paths: Iterable[str] | None = None) -> str:
    """Re-emit the diff, or only the files in `paths`, as unified diff text."""
    changes = diff if isinstance(diff, ChangeSet) else parse_diff(diff)
    if paths is not None:
        changes = changes.filter(paths)
    return "".join(f.text for f in changes.files)


def _normalise_eol(text: str) -> str:
    """A diff saved with CRLF endings (headers included) → LF, so its headers still parse.

    A diff of CRLF files has CR only on content lines; those are left alone.
    """
    header = re.search(r"^(?:diff --git |--- |\+\+\+ ).*$", text, re.MULTILINE)
    if header and header.group().endswith("\r"):
        return text.replace("\r\n", "\n")
    return text


def _parse_error(source: str, lines: Lines, reason: str) -> UserInputError:
    if reason.startswith("Hunk is shorter"):
        return UserInputError(
            f"the diff ends (line {lines.read}) before the hunk at line {lines.hunk} has all "
            "the lines its @@ header counts", where=f"{source}:{lines.hunk}", fix=_FIX)
    bad = lines.all[lines.read - 1].rstrip("\r\n") if lines.read else ""
    why = reason.split(":", 1)[0].lower()
    return UserInputError(f"not a valid unified diff ({why}): {bad[:120]!r}",
                          where=f"{source}:{lines.read}", fix=_FIX)


def _start(pf: PatchedFile, lines: list[str], floor: int) -> int:
    """The 1-based line where a file's part of the diff starts: its `diff --git` header, or
    else the `---` line that its `+++` line pairs with (searching back no further than
    `floor`)."""
    line = pf.diff_line_no or floor
    if lines[line - 1].startswith("+++ "):
        for back in range(line - 1, floor - 1, -1):
            if lines[back - 1].startswith("--- "):
                return back
    return line


def _file(pf: PatchedFile, text: str, read: FileLines) -> FileDiff:
    source, target = pf.source_file, pf.target_file
    if source == _DEV_NULL:
        status = FileStatus.ADDED
    elif target == _DEV_NULL:
        status = FileStatus.DELETED
    else:
        status = FileStatus.RENAMED if pf.is_rename else FileStatus.MODIFIED
    added, removals, removed = read
    hunks = tuple((h.target_start, h.target_start + h.target_length - 1)
                  for h in pf if h.target_length > 0)
    old = None if status == FileStatus.ADDED else _clean(source)
    path = old if status == FileStatus.DELETED else _clean(target)
    # built from the parser's values, of the fields' own types: not validated again (at
    # 5,000 files each added line was built twice, once by pydantic)
    return FileDiff.model_construct(
        path=path or "", old_path=old, status=status, binary=pf.is_binary_file, added=added,
        removed=removed, hunks=hunks, removals=removals, text=text)


def _lines(pf: PatchedFile) -> FileLines:
    """`hunk_lines.file_lines` from the parser's own lines (`PatchSet` in full mode), in one
    pass over them. A removal point is the new-file line after which a run of removed
    lines sat (`FileDiff.removals`)."""
    added: list[AddedLine] = []
    removals: list[int] = []
    removed = 0
    for hunk in pf:
        # A hunk with no new lines (`+9,0`) names the line before the removal; otherwise its
        # first line is `target_start`, so what precedes it is one less.
        last = hunk.target_start - 1 if hunk.target_length else hunk.target_start
        removing = False
        for line in hunk:
            if line.line_type == "-":
                removed += 1
                if not removing:
                    removals.append(last)
                removing = True
            elif line.target_line_no is not None:  # added or context
                last, removing = line.target_line_no, False
                if line.line_type == "+":
                    added.append(AddedLine(last, line.value.removesuffix("\n").removesuffix("\r")))
    return FileLines(tuple(added), tuple(removals), removed)


def _clean(name: str) -> str:
    """A header file name → a repository path in text form (`git.names`): unquoted, without
    its a/ or b/ prefix."""
    if len(name) >= 2 and name.startswith('"') and name.endswith('"'):
        try:
            raw = codecs.escape_decode(name[1:-1].encode("utf-8"))[0]
        except ValueError:  # a stray backslash: keep the name as written
            raw = name[1:-1].encode("utf-8")
        name = from_bytes(raw)
    return PREFIX.sub("", name, count=1)
