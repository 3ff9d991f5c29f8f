"""The coverage matrix: for each changed file, which analyzer read it, which could not, and why.

Each analyzer's `Health` is its row (`findings.ledger`): the files it was to read and the ones
it did not read after all. Two kinds of gap no analyzer can report, since no analyzer was
given the file, are found here and recorded as one more row, `changed-files`: a file over
the size every analyzer stops at, and a file the diff names that is not where its name says.
(A name that is not UTF-8 is no gap: it is read under its own bytes, `reviewloop.git.names`.)
A changed file with any gap is **unanalysed**, and an unanalysed file fails the review
whatever else it found (`reviewloop.runs.review.blocking`): what its author controls —
size, bytes, name, a parse error, a tool's own ignore — never makes a change look reviewed.

It also holds the gaps of placement: a text file of a known language that git diffs as
binary, and a file renamed into code without a changed line — an analyzer reads both, but
what it finds lies on no line of the change — and a symlink whose name makes a text file
code (`tool.py -> notes.txt`), which no analyzer of that language reads under its own name,
or a template, workflow or pipeline to checkov and zizmor (`k8s/pod.yaml -> pod.txt`: they
follow the link and read the text as a manifest; the review's analyzers skip the link) —
but a variable file Terraform loads by itself, which checkov reads as its target when that
is a file inside the tree (`terraform_var_links`). A link is followed to its last target
(`k8s/pod.yaml -> mid -> pod.txt`), and a link the change did not touch names the changed
file it ends at (`review.linked`): editing `pod.txt` changes what `checkov -d .` reads as
`k8s/pod.yaml` as much as writing the link did.

A file nobody was to read is not a gap: a binary file, a symlink (reviewed as a link), a
submodule, or a file outside every reviewer's scope, which the trusted configuration decides
— except a file an override's narrower scope took from the analyzers of the definition it
replaces, which those analyzers' rows name as not read (`review.evidence`).
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.findings.ledger import Health, Ledger
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.diff_headers import LINK, SUBMODULE
from reviewloop.git.diff_links import link_text
from reviewloop.git.languages import SHEBANG_BYTES, by_name, untold
from reviewloop.git.names import on_disk, under, unfit
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from reviewloop.review.databricks import HEADER_CHARS, SUFFIXES, is_notebook, magic_cells
from reviewloop.review.linked import last_target, linked_names
from reviewloop.review.readable import (
    MAX_ANALYZED_BYTES,
    NOT_ANALYSED,
    TOO_LARGE,
    Readability,
)

CHECK = "changed-files"  # the row of the files no analyzer could be given
_NOT_FOUND = "not in the reviewed tree under the name the diff gives"
_TOO_LONG = ("its name is longer than a file system here holds ({why}): the reviewed tree "
             "could not have the file, so no tool read it; give it a shorter name")
_NO_LINES = ("git shows none of its lines (it took the file for binary), so nothing found in "
             "it can be placed on the change")
_RENAMED_INTO_CODE = ("renamed into a {language} file without a changed line: the diff shows "
                      "none of its code, so no model reviewer read it (its analyzers' findings "
                      "count: the file is new {language})")
_RENAMED_INTO_ROLE = ("renamed into {role} without a changed line: the diff shows none of it, "
                      "so no model reviewer read it (its analyzers' findings count: all of it "
                      "is new there)")
_LINK_INTO_CODE = ("a symlink that makes {target} a {language} file: no {language} analyzer "
                   "reads {target} under its own name; give the code a {language} name")
_LINK_INTO_ROLE = ("a symlink that makes {target} {role}: the plain tools follow the link and "
                   "read it as that, no analyzer here reads {target} under its own name as "
                   "that; commit the file itself under this name")
_LINKED_AS = ("{link}, a symlink the change did not touch, makes it {kind}: the plain tools "
              "follow the link and read it as that, no analyzer here reads it under that "
              "name; review it as that by hand, or commit it under that name")
_UNTOLD = ("a script whose shebang (`{shebang}`) names no interpreter whose language reviewloop "
           "can tell, so no analyzer read it; name the interpreter (`#!/usr/bin/env python3`, "
           "`#!/usr/bin/env -S uv run --script`) or give the file its language's suffix")
_MAGIC_CELLS = ("a Databricks notebook whose cells written as `MAGIC` comment lines run code "
                "({cells}) that no analyzer here reads (they read comments); review those "
                "cells by hand, or keep that code in files of its own language")
_SUBPROJECT = "Subproject commit "
_SUBMODULE = ("a submodule, now at commit {commit}: the files of the commits it moved to are "
              "not in this change's diff and were not reviewed (review them in the "
              "submodule's own repository)")


class FileCoverage(BaseModel):
    """One changed file's line of the matrix: each analyzer that applies, and its answer."""

    # built when a report lists the matrix, not at import (#41)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    path: str
    analysed_by: list[str]  # `bandit (review-security)`
    not_read: list[str]  # `bandit: could not parse it (…)`, every reason


def file_checks(root: Path, changes: ChangeSet,
                left_out: Mapping[str, str] | None = None) -> Health:
    """The `changed-files` row: of the files `changes` adds or modifies, those no analyzer
    could be given or place a finding on, with why (see the module docstring). One `lstat`
    a file; only a file over the ceiling or diffed as binary is looked at further.
    `left_out`: the links of the reviewed commit its export has not (`git.export_links`)."""
    readable = Readability.of(root)
    written = [f for f in changes.files if f.status is not FileStatus.DELETED]
    modules = {f.path: why for f in written if (why := _submodule(f)) is not None}
    # a symlink or a submodule (as the change leaves it): no file content to analyse
    texts = {f.path: text for f in written if (text := link_text(f, root)) is not None}
    files = [f for f in written if f.path not in modules and f.path not in texts
             and f.mode not in (LINK, SUBMODULE)]
    gaps = {f.path: why for f in files if (why := _gap(readable, f, changes)) is not None}
    links = {path: why for path, text in texts.items()
             if (why := _link_into_code(path, text, root)) is not None}
    linked = {path: whys[0] for path, links in linked_names(
        root, {f.path for f in files}, {f.path for f in written}, left_out).items()
        if (whys := [why for link in links if (why := _linked_as(link, path, root))])}
    return Health(kind="analyzer", name=CHECK, status="ok",
                  files=tuple(dict.fromkeys((*(f.path for f in files), *links, *modules))),
                  unread={**linked, **gaps, **links, **modules})


def _submodule(diff: FileDiff) -> str | None:
    """A submodule the change points at another commit (or adds): what that commit brings
    is code the project runs, and none of it is in this diff."""
    added = diff.added[0].text if len(diff.added) == 1 else ""
    if not added.startswith(_SUBPROJECT) or diff.mode != SUBMODULE:
        return None
    return _SUBMODULE.format(commit=added.removeprefix(_SUBPROJECT).strip()[:12])


def _gap(readable: Readability, diff: FileDiff, changes: ChangeSet) -> str | None:
    path = diff.path
    try:  # the answer the review's other steps had (one `lstat` a file, not two)
        there, size = readable.check(path)[0], readable.size(path)
    except OSError:  # anything but "not there" (which is an answer): as it was, not found
        return _NOT_FOUND
    if not there:
        why = unfit(readable.root, on_disk(path))
        return _NOT_FOUND if why is None else _TOO_LONG.format(why=why)
    if size > MAX_ANALYZED_BYTES:
        reason = readable.analyzable(path)
        return reason if reason is not None and reason.startswith(TOO_LARGE) else None
    if diff.binary and readable.analyzable(path) is None:
        return _NO_LINES
    from reviewloop.checks.secrets.archives import unscanned  # a binary archive's only

    if diff.binary and (why := unscanned(readable.root, diff)) is not None:
        return why  # an archive the secrets scan could not read whole (a bomb, encrypted)
    if (reason := readable.analyzable(path)) is not None and reason.startswith(NOT_ANALYSED):
        return reason  # text that hides what runs: an LFS pointer, an opaque source codec
    if readable.language(path) is None and (shebang := untold(path, readable.text_start(
            path, SHEBANG_BYTES).encode("utf-8", "surrogateescape"))) is not None:
        return _UNTOLD.format(shebang=shebang)  # a script no analyzer claimed: nobody's
    if path.lower().endswith(SUFFIXES) and is_notebook(readable.text_start(
            path, HEADER_CHARS)) and (cells := magic_cells(
            readable.text_start(path, MAX_ANALYZED_BYTES))):
        shown = ", ".join(f"line {line}: {magic}" for line, magic in cells[:5])
        return _MAGIC_CELLS.format(cells=shown + (" …" if len(cells) > 5 else ""))
    if diff.status is not FileStatus.RENAMED or diff.added or diff.removals \
            or diff.old_path is None:
        return None
    language = readable.language(path)
    if language is not None and by_name(diff.old_path) != language:
        return _RENAMED_INTO_CODE.format(language=language)
    from reviewloop.checks.analyzers.roles import moved_into  # a rename's only

    role = moved_into(diff, changes, readable.root)
    return _RENAMED_INTO_ROLE.format(role=role) if role is not None else None


def _link_into_code(path: str, text: str, root: Path) -> str | None:
    """A symlink the change writes, retargets or renames (`diff_links.link_text`, `text` what
    it points at) whose name makes its target code of a language the target's own name does
    not (`tool.py -> notes.txt`: `import tool` runs the notes, which only the secrets scan
    read as what they are), or makes it what checkov or zizmor read by name and text
    (`_link_into_role`)."""
    language = by_name(path)
    # followed on disk only where the tree has the link (`core.symlinks = false` checks one
    # out as a text file holding its target, which leads nowhere but to itself)
    followed = last_target(root, path) if os.path.islink(under(root, path)) else None
    target = followed or posixpath.normpath(posixpath.join(posixpath.dirname(path), text))
    if language is not None:
        return None if by_name(target) == language \
            else _LINK_INTO_CODE.format(language=language, target=target)
    return _link_into_role(path, target, root)


def _linked_as(link: str, target: str, root: Path) -> str | None:
    """Why the changed file `target` is not analysed as what the unchanged symlink `link`
    makes it (None: the link's name makes it nothing its own name does not)."""
    language = by_name(link)
    if language is not None:
        kind = None if by_name(target) == language else f"a {language} file"
    else:
        kind = _role_by_link(link, target, root)
    return None if kind is None else _LINKED_AS.format(link=link, kind=kind)


def _link_into_role(path: str, target: str, root: Path) -> str | None:
    """What the link's name makes its target to the IaC tools that its own name does not: a
    Kubernetes manifest, a CloudFormation template, a workflow, `serverless.yml`, a role's
    task list (`roles.role`, by the name and the target's text as the head has it)."""
    now = _role_by_link(path, target, root)
    return None if now is None else _LINK_INTO_ROLE.format(role=now, target=target)


def _role_by_link(path: str, target: str, root: Path) -> str | None:
    from reviewloop.checks.analyzers.roles import role  # a link's only
    from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS

    text = _target_text(root, target)
    if text is not None and AUTO_VARS().match(posixpath.basename(path)):
        return None  # checkov reads it as its target (`terraform_var_links`)
    now = role(path, text)
    return now if now is not None and now != role(target, text) else None


def _target_text(root: Path, target: str) -> str | None:
    """The text of a link's target when it is a regular file inside the tree at `root`, up
    to the analyzers' ceiling (None otherwise: a link out of the tree, to a folder or a device
    is not followed, and is judged by its name alone; `last_target` followed links to links)."""
    if target in ("", ".", "..") or target.startswith(("../", "/")):
        return None
    where = under(root, target)
    try:
        inside = os.path.realpath(where).startswith(os.path.realpath(root) + os.sep)
        if not inside or not stat.S_ISREG(os.lstat(where).st_mode):
            return None
        with where.open("rb") as handle:
            return handle.read(MAX_DIFFED_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def with_file_checks(ledger: Ledger, root: Path, changes: ChangeSet,
                     left_out: Mapping[str, str] | None = None) -> Ledger:
    """The ledger with the `changed-files` row for `changes` (see `file_checks`)."""
    if not changes.files:
        return ledger
    return ledger.with_health([file_checks(root, changes, left_out)])


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
