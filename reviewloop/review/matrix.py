"""The coverage matrix: for each changed file, which analyzer read it, which could not, and why.

Each analyzer's `Health` is its row (`findings.ledger`): the files it was to read and the ones
it did not read after all. Two kinds of gap no analyzer can report, since no analyzer was
given the file, are found here and recorded as one more row, `changed-files`: a file over
the size every analyzer stops at, and a file the diff names that is not where its name says
(a name git could not give as UTF-8). A changed file with any gap is **unanalysed**, and an
unanalysed file fails the review whatever else it found (`reviewloop.runs.review.blocking`):
what its author controls — size, bytes, name, a parse error, a tool's own ignore — never
makes a change look reviewed.

A file nobody was to read is not a gap: a binary file, a symlink (reviewed as a link), or a
file outside every reviewer's scope, which the trusted configuration decides.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.findings.ledger import Health, Ledger
from reviewloop.review.readable import MAX_ANALYZED_BYTES, Readability

CHECK = "changed-files"  # the row of the files no analyzer could be given
_TOO_LARGE = "too large to analyze"
_NOT_FOUND = ("not in the reviewed tree under the name the diff gives (git names a file that "
              "is not UTF-8 with replacement characters): rename it to a UTF-8 name")


class FileCoverage(BaseModel):
    """One changed file's line of the matrix: each analyzer that applies, and its answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    analysed_by: list[str]  # `bandit (review-security)`
    not_read: list[str]  # `bandit: could not parse it (…)`, every reason

    @property
    def complete(self) -> bool:
        return not self.not_read


def file_checks(root: Path, paths: Iterable[str]) -> Health:
    """The `changed-files` row: of the changed files `paths` (none deleted), those no
    analyzer could be given, with why. One `lstat` a file; only a file over the ceiling is
    looked at further (`Readability`: a binary one is no gap)."""
    readable = Readability(root)
    wanted = tuple(dict.fromkeys(paths))
    gaps: dict[str, str] = {}
    for path in wanted:
        try:
            size = os.lstat(root / path).st_size
        except ValueError:  # a NUL in the name: no such file
            size = -1
        except OSError:
            size = -1
        if size < 0:
            gaps[path] = _NOT_FOUND
        elif size > MAX_ANALYZED_BYTES and (reason := readable.analyzable(path)) is not None \
                and reason.startswith(_TOO_LARGE):
            gaps[path] = reason
    return Health(kind="analyzer", name=CHECK, status="ok", files=wanted, unread=gaps)


def with_file_checks(ledger: Ledger, root: Path, paths: Sequence[str]) -> Ledger:
    """The ledger with the `changed-files` row for `paths` (see `file_checks`)."""
    if not paths:
        return ledger
    return ledger.with_health([file_checks(root, paths)])


def matrix(ledger: Ledger) -> list[FileCoverage]:
    """Every changed file some analyzer was to read, with who read it and what was not read,
    by path."""
    read: dict[str, list[str]] = {}
    for h in ledger.health:
        if h.kind != "analyzer" or h.name == CHECK:
            continue
        gaps = h.gaps()
        for path in h.files:
            read.setdefault(path, [])
            if h.status in ("ok", "skipped") and path not in gaps:
                read[path].append(h.label)
    for h in ledger.health:
        if h.name == CHECK:
            for path in h.files:
                read.setdefault(path, [])
    unanalysed = ledger.unanalysed()
    return [FileCoverage(path=p, analysed_by=sorted(set(by)), not_read=unanalysed.get(p, []))
            for p, by in sorted(read.items())]


def incomplete_text(ledger: Ledger, limit: int = 5) -> str | None:
    """`incomplete: 2 files not analysed (big.py: bandit: too large …; …)`, or None."""
    gaps = ledger.unanalysed()
    if not gaps:
        return None
    shown = "; ".join(f"{path}: {reasons[0]}" for path, reasons in list(gaps.items())[:limit])
    more = f"; and {len(gaps) - limit} more" if len(gaps) > limit else ""
    noun = "file" if len(gaps) == 1 else "files"
    return f"incomplete: {len(gaps)} {noun} not analysed ({shown}{more})"
