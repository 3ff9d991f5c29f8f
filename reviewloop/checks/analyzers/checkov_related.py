"""Unchanged files checkov reads with the changed ones because it relates them across files,
and where a finding the change brought about on one of them is shown.

checkov's Kubernetes graph joins a RoleBinding to the Role it names and a NetworkPolicy to
the pods it selects wherever in the scanned tree they are (`kubernetes_graph`), and a
`serverless.yml` reads another file's content through `${file(./iam.yml)}`
(`serverless_files`). Each says, for a change, which unchanged files to read with it
(`Related.files`), through which changed file each is reached (`Related.reached`), and
which files the change took away that the base run is to read again (`Related.taken`).
A finding the change introduced on such a file (`review.introduced`: the base run, which
reads the same files, does not have it) is shown on the changed file it was reached through
(`shown_on_change`): on its changed lines, or about the file as a whole (`level="file"`)
when the change deleted it or renamed it to a name checkov does not read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.checks.paths import repo_path
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, FileStatus


@dataclass(frozen=True)
class Source:
    """A changed file through which an unchanged one is related: `path` as the change
    leaves it (the old path of a deleted one); `taken`: the change deleted it or renamed it
    to a name checkov does not read as it read the old one."""

    path: str
    taken: bool


@dataclass
class Related:
    """What one kind of cross-file reading adds to a change's checkov run."""

    files: dict[str, str] = field(default_factory=dict)  # unchanged path → framework
    reached: dict[str, set[Source]] = field(default_factory=dict)  # each of `files` → its sources
    taken: tuple[str, ...] = ()  # base paths of related files the change deleted or renamed
    read: tuple[str, ...] = ()  # unchanged files checkov reads through them: in the base too
    left_out: int = 0  # related files past the bound, not given to checkov
    bound: int = 0  # the bound they are past
    # changed files checkov reads that a bound kept from being read in full, with why
    partial: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, kind: str, source: Source) -> None:
        self.files.setdefault(path, kind)
        self.reached.setdefault(path, set()).add(source)


def shown_on_change(finding: Finding, changes: ChangeSet, related: Related, what: str
                    ) -> Finding | None:
    """`finding`, on an unchanged file of `related`, on the changed file it is reached
    through (`what` says how the two relate): on its first changed lines, or about it as a
    whole when the change took it away; None for a finding on no related file."""
    sources = sorted(related.reached.get(finding.file, ()), key=lambda s: (s.taken, s.path))
    if not sources:
        return None
    source = sources[0]
    where = f"{finding.symbol or 'a resource'} in {finding.file} (lines {finding.start_line}-" \
            f"{finding.end_line}), which the change did not write, {what} {source.path}"
    diff = changes.file(source.path)
    if source.taken or diff is None:
        how = "deletes it" if diff is None or diff.status is FileStatus.DELETED else \
            f"renames {diff.old_path} to it, a name checkov does not read the same way"
        return finding.moved(file=source.path, start_line=1, end_line=1, level="file",
                             rationale=f"{finding.rationale} It is on {where}: the change "
                             f"{how}, and without it checkov reports this (it does not on "
                             "the change's base).")
    start, end = diff.changed_ranges[0] if diff.added else \
        (max(1, diff.removals[0]),) * 2 if diff.removals else (1, 1)
    return finding.moved(file=source.path, start_line=start, end_line=end,
                         rationale=f"{finding.rationale} It is on {where}: the change to that "
                         "file brings it about (checkov does not report it on the change's "
                         "base).")


def merged(*parts: tuple[Related, str]) -> dict[str, tuple[Related, str]]:
    """Each related file of `parts` (a `Related` and what its relation is called in a
    rationale) with the one that relates it; the first wins."""
    found: dict[str, tuple[Related, str]] = {}
    for related, what in parts:
        for path in related.files:
            found.setdefault(path, (related, what))
    return found


def past_bound(related: Related, named: Iterable[str]) -> dict[str, str]:
    """The changed files among `named` (those checkov reads) through which related files
    were reached, when some were left out past the bound (a change that only deleted one:
    the related files given), each with why it was not fully analysed."""
    if not related.left_out:
        return {}
    sources = {source.path for found in related.reached.values() for source in found}
    why = (f"checkov's checks across files relate the change to "
           f"{len(related.files) + related.left_out} unchanged files of the tree and "
           f"reviewloop gives it at most {related.bound} of them: its checks across the "
           f"{related.left_out} left out were not run")
    hit = [p for p in named if p in sources]
    return dict.fromkeys(hit or list(related.files), why)


def walk(root: Path, wanted: Callable[[str], bool]) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The regular files of the tree at `root` whose names are `wanted`, as `checkov -d`
    walks it (no hidden folder, no `node_modules`, no linked folder): repository path, entry."""
    top = os.fspath(root)
    stack = [top]
    while stack:
        where = stack.pop()
        try:
            entries = sorted(os.scandir(where), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name != "node_modules":
                    stack.append(entry.path)
            elif wanted(entry.name) and entry.is_file():
                yield repo_path(root, entry.path), entry
