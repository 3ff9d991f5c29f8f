"""What can lower a verdict, decided in one place: the files that configure, suppress,
classify or hook into a review, and the inline markers that silence a finding.

A review's verdict may be lowered only by what the trusted side carries: the base commit, or
a human with write access. Everything else asks this module whether a path or a line is one
of those levers, and `Trust` whether a given lever came from the trusted side:

* `lever(path)` — the `Lever` a repository path is (settings, agent definitions, steering,
  a suppression file of reviewloop's, `.gitattributes`, a hook), or None; the config files
  of the wrapped tools are declared by their analyzers (`policy.lever_files.ConfigFile`), so
  the question is asked of `checks.suppressions.config_files.lever`, which adds them.
* the inline suppression markers are declared by the analyzers whose tools honour them
  (`policy.markers`, `checks.suppressions.markers`).
* `Trust` — which lines and files of a tree are the untrusted change's (`from_changes`: a
  pull request's base..head, or what a run wrote since it started): a marker on one of them
  is reported, never honoured (`vouches`); a lever file the change touches is read from the
  base (`file`).

The lists are deliberately wide: a lever missing here is a hole, an extra one costs a 🟡
finding a maintainer reads once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus, hunks
from reviewloop.policy.lever_files import LEVERS, Lever, LeverKind, lever

__all__ = ["LEVERS", "Lever", "LeverKind", "lever"]  # the lever files live in lever_files


@dataclass(frozen=True)
class Trust:
    """Which parts of a tree are the untrusted change's: its added lines per file and the
    files it touches. A review of the user's own working change trusts everything
    (`Trust.everything()`); a pull request or a run's model change does not.

    `base` is where the trusted version of a touched file is read (a commit, or the tree
    object of a run's starting snapshot); `head` is the commit the reviewed files come from
    (None: the working tree)."""

    added: Mapping[str, frozenset[int]] = field(default_factory=dict)
    touched: frozenset[str] = frozenset()
    # where the change removed lines: new-file line k for lines removed after line k
    removals: Mapping[str, frozenset[int]] = field(default_factory=dict)
    trusted_all: bool = False
    base: str | None = None
    head: str | None = None
    # the repository `base` and `head` name commits of, when the reviewed files are an export
    # of a commit rather than a checkout (None: the analyzed tree is in that repository)
    checkout: str | None = None
    # the change itself, where each file's unchanged lines were at `base` (`base_lines`)
    changes: ChangeSet | None = None

    @classmethod
    def everything(cls) -> Trust:
        return cls(trusted_all=True)

    @classmethod
    def from_changes(cls, changes: ChangeSet, *, base: str | None = None,
                     head: str | None = None) -> Trust:
        """The change `changes` (from `base` to `head`) is the untrusted one: its added lines,
        and every path it adds, modifies, deletes or renames (both names)."""
        added, touched, removals = _lines_of(changes)
        return cls(added=added, touched=touched, base=base, head=head, removals=removals,
                   changes=changes)

    def line(self, path: str, number: int) -> bool:
        """Whether line `number` of `path` comes from the trusted side."""
        return self.trusted_all or number not in self.added.get(path, frozenset())

    def file(self, path: str) -> bool:
        """Whether `path` as it is in the tree may be read as trusted (else: the base's)."""
        return self.trusted_all or path not in self.touched

    def vouches(self, marker_line: int, path: str, flagged: int, *,
                stretch: bool = False) -> bool:
        """Whether a marker on `marker_line` of `path` may silence a finding flagged on line
        `flagged`: the marker must come from the trusted side, and so must the flagged line
        when the marker sits elsewhere (a base suppression never covers code the change
        wrote under it). With `stretch` (a marker whose reach runs down the file: the next
        line, an `eslint-disable` block) nothing between the two may have been removed
        either: deleting the line under a `disable-next-line`, or a block's
        `eslint-enable`, would carry a base suppression onto code it never covered."""
        if not (self.line(path, marker_line) and self.line(path, flagged)):
            return False
        return not stretch or self.trusted_all or not any(
            marker_line <= k < flagged for k in self.removals.get(path, ()))

    def base_path(self, path: str) -> str:
        """Where the base has the file `path` is in the tree (a renamed file's old name)."""
        diff = self.changes.file(path) if self.changes is not None else None
        return diff.old_path if diff is not None and diff.old_path else path

    def base_lines(self, path: str) -> Callable[[int], int | None] | None:
        """For a line of `path` the change left alone, its number in the base's copy (None
        for a line the change wrote); None when the change is not known line by line (a
        `Trust` built without its diff, a hunk that cannot be read)."""
        if self.trusted_all or path not in self.touched:
            return lambda number: number
        diff = self.changes.file(path) if self.changes is not None else None
        anchors = _anchors(diff) if diff is not None else None
        if anchors is None:
            return None
        heads = [head for head, _ in anchors]
        added = self.added.get(path, frozenset())

        def base_line(number: int) -> int | None:
            if number in added:
                return None
            head, base = anchors[bisect_right(heads, number) - 1]
            return base + number - head
        return base_line


_Lines = tuple[dict[str, frozenset[int]], frozenset[str], dict[str, frozenset[int]]]
# the last change's `_lines_of`, with the change itself (its identity is the key): a review
# builds two `Trust`s of one change (the classification's and the suppressions', which name
# the base), and at 5,000 files each set of lines cost ~10 ms
_LAST: list[tuple[ChangeSet, _Lines] | None] = [None]


def _lines_of(changes: ChangeSet) -> _Lines:
    """(added lines by path, every path touched, removals by path) of `changes`."""
    last = _LAST[0]  # one read: another thread may replace it meanwhile
    if last is not None and last[0] is changes:
        return last[1]
    files = changes.files
    lines = ({f.path: frozenset(f.added_lines) for f in files if f.added},
             frozenset(p for f in files for p in (f.path, f.old_path) if p),
             {f.path: frozenset(f.removals) for f in files if f.removals})
    _LAST[0] = (changes, lines)
    return lines


def _anchors(diff: FileDiff) -> list[tuple[int, int]] | None:
    """(new-file line, old-file line) where each run of lines the change left alone starts:
    the first line, each context line of a hunk, the first line after each hunk."""
    if diff.status in (FileStatus.ADDED, FileStatus.DELETED) or diff.binary:
        return None
    read = hunks(diff)
    if read is None:
        return None
    anchors = [(1, 1)]
    for hunk in read:
        anchors += [(line.target_line_no, line.source_line_no) for line in hunk
                    if line.is_context]
        target, source = hunk.target_length, hunk.source_length
        anchors.append((hunk.target_start + (target or 1), hunk.source_start + (source or 1)))
    return anchors
