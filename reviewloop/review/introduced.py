"""Findings a change brings about away from its own lines: deleting a protective line or a
whole resource (`block_public_acls = true`, the bucket's public access block, a Dockerfile's
last `USER`), or adding an ingress rule to a security group created on another line.

An analyzer that says so (`Analyzer.base_folders`, the IaC ones) runs a second time, on the
change's base: the changed files as they were before the change, rebuilt from the review's
own diff (`reviewloop.git.reverse`; no repository or commit needed), plus any folders it
reads whole (a CDK app). A finding its head run reports and its base run does not — same
rule, file and subject (the resource or construct, `Finding.symbol`), whatever the lines —
is `introduced`: inside the change, whatever its check id. The second run happens only when
the head run has findings off the change's lines; when it fails, those findings count as
introduced (a review never hides what it could not compare).

An analyzer that reads unchanged files with the changed ones (checkov: a changed Terraform
file's module, `Analyzer.base_context`) reads them at the base too, as they are: without
them the base run would see another module (no `terraform.tfvars`, no `main.tf`) and take
what the head already had for new. A finding the change introduced on such a file (the
security group in `main.tf` that a changed `terraform.tfvars` opens) is shown where the
analyzer says the change brought it about (`Analyzer.attributed`: the changed variable
line); the review shows no file the change did not touch.

An analyzer whose findings on a file depend on that file alone (`Analyzer.per_file`: bandit,
ruff, shellcheck, hadolint, zizmor, the ESLint views) is run on the base versions of only the
files holding findings off the change's lines, and a finding's subject there is the code on its
lines: `import x as subprocess` made `import subprocess` turns an untouched
`subprocess.call(cmd, shell=True)` fifty lines down into bandit's B602, and a deleted `import
os` an untouched `os.path` into ruff's F821; both are the change's. A finding whose rule
reports the same code at the base is not (each base finding answers for one head finding: the
change may have made a second copy of a flagged line vulnerable). A finding on a file the base
run did not read (a parse error at the base: `AnalyzerContext.not_read` in that run) or on any
file of a base run that failed is introduced too, its note saying that it could not be
compared.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

from reviewloop.checks.analyzers import line_breaks
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.terraform_moves import moved_in
from reviewloop.checks.paths import in_tree_file
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.held import Held
from reviewloop.git.names import fits
from reviewloop.git.reverse import base_executable, base_text
from reviewloop.git.scratch import beside
from reviewloop.review.renamed_in import renamed_in

NOTE = (" The change introduced it: the same analyzer does not report it on the change's base, "
        "though it lies on none of the lines the change wrote.")
UNCOMPARED = (" It counts as the change's though it lies on none of the lines the change wrote: "
              "the same analyzer could not read the file at the change's base to compare "
              "({why}).")
_LEFT_OUT = ("node_modules", "cdk.out", ".git")
log = logging.getLogger(__name__)


@runtime_checkable
class Compared(Protocol):
    """An analyzer that is run on the change's base too (`Analyzer.base_folders`); it may
    also define `base_context(ctx) -> Sequence[str]`, `attributed(finding, ctx) ->
    Finding | None` (`marked`) and `passed_by(ctx, paths) -> dict[str, str]` (`renamed_in`)."""

    def run(self, ctx: AnalyzerContext) -> list[Finding]: ...

    def base_folders(self, ctx: AnalyzerContext) -> Sequence[str]: ...


class BaseTree:
    """The change's base, made once (on first use) in a temporary folder (`scratch.beside`
    its head), for every analyzer of one review (`BaseTrees`; a reviewer run alone has its
    own); `close` removes it. Thread-safe: the reviewers' analyzers ask for it side by side."""

    def __init__(self, root: Path, changes: ChangeSet) -> None:
        self._root, self._changes = root, changes
        self._lock = threading.Lock()
        self.copied = Copied()  # what making it cost (the debug log says it on `close`)
        self._folders: set[str] = set()
        self._written: set[str] = set()  # changed files already rebuilt
        self._unchanged: set[str] = set()  # context files already copied
        self._touched = {p for f in changes.files for p in (f.path, f.old_path) if p}
        self._made: Held | None = None
        self._closed = False

    def at(self, files: Sequence[str], folders: Sequence[str],
           context: Sequence[str] = ()) -> Path:
        """The base tree, holding the base versions of the changed `files` and of the changed
        files under `folders`, (whole) each of `folders`, and the files `context` as they
        were: an unchanged one as it is, one the change deleted or renamed away rebuilt at
        its base path."""
        with self._lock:
            if self._closed:  # an analyzer outliving its review (on an error): no new copy
                raise RuntimeError("the review's copy of the change's base is removed")
            if self._made is None:
                self._made = Held("reviewloop-base-", beside(self._root))
                log.debug("the change's base made in %s", self._made.name)
            where = Path(self._made.name)
            inside = [f.path for f in self._changes.files
                      if any(_under(f.path, folder) for folder in folders)]
            self._changed(where, {*files, *inside} - self._written)
            for folder in sorted(set(folders) - self._folders):
                self._folders.add(folder)
                self._copy(folder, where)
            gone = {f.old_path for f in self._changes.files if f.old_path
                    and (f.status is FileStatus.DELETED or f.old_path != f.path)}
            self._rebuilt(where, (set(context) & gone) - self._unchanged)
            # a context file the change wrote, as it was (a `package.json` it edited)
            self._changed(where, (set(context) & self._touched) - gone - self._written)
            for path in sorted(set(context) - gone - self._written - self._unchanged):
                self._unchanged.add(path)
                self._copy_file(path, where)
            return where

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._made is not None:
                log.debug("the change's base in %s removed: %s", self._made.name, self.copied)
                self._made.cleanup()
                self._made = None

    def _changed(self, where: Path, paths: set[str]) -> None:
        self._written |= paths
        for diff in self._changes.files:
            if diff.path in paths:  # a renamed file where it was (`was`)
                self._write_base(diff, where, self.was(diff.path))

    # --- renames: the base as the plain tools saw it, its findings meeting their head twins
    def was(self, path: str) -> str:
        """Where the file at `path` was at the base: a renamed file at its old path, where
        the base's config scope applied to it (ruff's per-file-ignores, ESLint's `files`,
        `.cjs` and a package's `type`); the head's scope is part of what the rename changed."""
        diff = self._changes.file(path)
        return diff.old_path if diff is not None and diff.old_path else path

    @property
    def absolute(self) -> str:
        return Path(os.path.realpath(self._root)).as_posix()

    def text(self, path: str) -> str | None:
        """The repository file `path` as the base had it (a tool's config): rebuilt when the
        change wrote it, none when the change added it, else the tree's (not through a link
        out of it)."""
        diff = next((d for d in self._changes.files if d.old_path == path), None)
        if diff is not None:
            head = _read(self._root / diff.path, "surrogateescape") \
                if diff.status is not FileStatus.DELETED else None
            return base_text(head, diff)
        real = None if path in self._touched else in_tree_file(self._root / path, self._root)
        return _read(real) if real is not None else None

    def is_folder(self, path: str) -> bool:
        """Whether the base had a folder at `path`."""
        return (self._root / path).is_dir() or any(
            _under(d.old_path, path) for d in self._changes.files if d.old_path)

    def twin(self, path: str) -> str:
        """The head path a base finding of the file at `path` is matched at: a renamed file's
        new one; but a file renamed into a Terraform module, or into a name Terraform loads,
        was no part of the module at the base, and keeps its old path (no twin)."""
        return self._twins.get(path, path)

    @cached_property
    def _twins(self) -> dict[str, str]:
        return {d.old_path: d.path for d in self._changes.files
                if d.status is FileStatus.RENAMED and d.old_path and d.old_path != d.path
                and not moved_in(d, self._changes, self._root)}

    def _write_base(self, diff: FileDiff, where: Path, path: str) -> None:
        """The base version of `diff`'s file at `path` under `where`; its bytes as they are
        (a Latin-1 file's too: `surrogateescape`) and its executable bit, nothing outside
        `where`."""
        now = self._root / diff.path
        head = _read(now, "surrogateescape") if diff.status is not FileStatus.DELETED else None
        text = base_text(head, diff)
        target = where / path
        if text is not None and fits(where, path) and _inside(target, where):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogateescape", newline="")
            if base_executable(diff, head is not None and os.access(now, os.X_OK)):
                target.chmod(target.stat().st_mode | 0o111)
            self.copied.add(target)

    def _rebuilt(self, where: Path, old_paths: set[str]) -> None:
        """The base versions of the files the change deleted or renamed away from
        `old_paths`, each at its base path."""
        self._unchanged |= old_paths
        for diff in self._changes.files:
            if diff.old_path in old_paths:
                self._write_base(diff, where, diff.old_path)

    def _copy_file(self, path: str, where: Path) -> None:
        """One file of the head tree the change did not touch; a link to a file inside the
        tree (`paths.in_tree_file`: a shared `locals.tf`) as a copy of what it led to at
        the base — its target's base version when the change wrote that, nothing when the
        change added it — and any other link left out, as in `_copy`."""
        source = self._root / path
        real = in_tree_file(source, self._root)
        if path in self._touched or real is None:
            return
        target = where / path
        if real != source:
            led = os.path.relpath(real, os.path.realpath(self._root))
            diff = self._changes.file(Path(led).as_posix())
            if diff is not None or led in self._touched:  # at the base it held, or was not
                if diff is not None and diff.status is FileStatus.MODIFIED:
                    self._write_base(diff, where, path)
                return
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(real, target)
        self.copied.add(target)

    def _copy(self, folder: str, where: Path) -> None:
        """`folder` of the head tree, unchanged files only (the changed ones are already
        their base versions, an added one is left out); its installed packages linked."""
        source = self._root / folder if folder else self._root
        changed = {p for f in self._changes.files for p in (f.path, f.old_path) if p}
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames[:] = [d for d in dirnames if d not in _LEFT_OUT]
            for name in filenames:
                path = Path(dirpath) / name
                rel = path.relative_to(self._root).as_posix()
                if rel in changed or path.is_symlink():
                    continue
                target = where / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                self.copied.add(target)
        modules = source / "node_modules"
        link = where / folder / "node_modules" if folder else where / "node_modules"
        if modules.is_dir() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(modules.resolve(), target_is_directory=True)


@dataclass
class Copied:
    """The files written into a base tree and their bytes."""

    files: int = 0
    bytes: int = 0

    def add(self, path: Path) -> None:
        self.files += 1
        self.bytes += path.stat().st_size

    def __str__(self) -> str:
        return f"{self.files:,} files written ({self.bytes:,} bytes)"


class BaseTrees:
    """The change's base trees of one review, shared by every reviewer's analyzers: one per
    reviewed tree and diff (the first round's; with --fix, each later round's whole change),
    each made on first use. Three reviewers' ESLint views comparing a TypeScript file
    linted with types each had the whole tsconfig project copied (with a root tsconfig, the
    repository); now it is copied once. A context manager: on exit, when the review's
    analyzers are done, every tree is removed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._trees: dict[tuple[Path, str], BaseTree] = {}

    def of(self, root: Path, diff_text: str, changes: ChangeSet) -> BaseTree:
        """The base tree of the change `diff_text` (parsed: `changes`) to the tree `root`."""
        key = (root.resolve(), diff_text)
        with self._lock:
            if key not in self._trees:
                self._trees[key] = BaseTree(root, changes)
            return self._trees[key]

    def close(self) -> None:
        with self._lock:
            trees, self._trees = list(self._trees.values()), {}
        for tree in trees:
            tree.close()

    def __enter__(self) -> BaseTrees:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def marked(found: list[Finding], ctx: AnalyzerContext, in_change: Callable[[Finding], bool],
           analyzer: Compared, base: BaseTree) -> list[Finding]:
    """`found` with the findings off the change's lines that the base run does not report
    marked `introduced`; one on a file the change did not touch is shown where the
    analyzer's `attributed` puts it (without one, or when it says None, it stays there and
    the review drops it, as any finding on such a file)."""
    off = [f for f in found if not in_change(f)]
    if not off:
        return found
    per_file = getattr(analyzer, "per_file", False)
    asked = tuple(dict.fromkeys(f.file for f in off if f.file in ctx.file_set)) \
        if per_file else ctx.files
    context = tuple(getattr(analyzer, "base_context", _nothing)(ctx))
    root = base.at(asked, analyzer.base_folders(ctx), context)
    ask = getattr(analyzer, "passed_by", None)  # the tool says what `eslint .` passes by
    moved = renamed_in(getattr(analyzer, "name", ""), asked, base,
                       (lambda paths: ask(ctx, paths)) if ask is not None else None)
    left = {base.was(path) for path in moved}  # at the base the plain tool never read them
    files = tuple(p for p in dict.fromkeys((*map(base.was, asked), *context))
                  if fits(root, p) and (root / p).is_file() and p not in left)
    # both sides in the tool's own numbering: where it declares its lines end, else at a
    # lone CR as well as LF (a changed file where another odd break may have moved its
    # findings it names as not analysed: `line_breaks.Renumbering.of`)
    breaks = getattr(analyzer, "line_breaks", line_breaks.PYTHON)
    head, then = _Code(ctx.root, per_file, breaks), _Code(root, per_file, breaks)
    at_base = replace(ctx, root=root, files=files, unread={}, tree=ctx.reviewed)
    try:
        before = Counter(_key(f, then, base.twin) for f in analyzer.run(at_base)
                         if f.file not in left) if files else Counter()  # `-d` reads them
    except Exception as exc:  # noqa: BLE001 - the base could not be analyzed: nothing to compare with
        before = Counter()
        at_base.unread.update(dict.fromkeys(map(base.was, asked),
                                            f"{type(exc).__name__}: {exc}"[:200]))
    # what the base run did not read, with why: named where each file was, found where it is
    here = {base.was(path): path for path in asked}
    failed = {here.get(path, path): why for path, why in at_base.unread.items()}
    attributed = getattr(analyzer, "attributed", None)
    kept = []
    for finding in found:
        if in_change(finding):
            kept.append(finding)
        elif before[key := _key(finding, head)] > 0:
            before[key] -= 1
            kept.append(finding)
        elif finding.file not in ctx.files and attributed is not None \
                and (shown := attributed(finding, ctx)) is not None:
            kept.append(shown.moved(introduced=True))
        else:
            note = UNCOMPARED.format(why=failed[finding.file]) if finding.file in failed \
                else moved.get(finding.file, NOTE)
            kept.append(finding.model_copy(update={"introduced": True,
                                                   "rationale": finding.rationale + note}))
    return kept


class _Code:
    """The code on a finding's lines in one tree, each line stripped (a per-file analyzer's
    subject); nothing for any other analyzer, whose findings name their subject."""

    def __init__(self, root: Path, wanted: bool, breaks: re.Pattern[str] | None) -> None:
        self._root, self.wanted, self._breaks = root, wanted, breaks
        self._lines: dict[str, list[str]] = {}

    def of(self, finding: Finding) -> str:
        if not self.wanted:
            return ""
        lines = self._lines.get(finding.file)
        if lines is None:
            text = _read(self._root / finding.file, errors="replace") or ""
            # split where the tool ends a line (ESLint at U+2028 too), as its lines count
            lines = self._lines[finding.file] = (self._breaks.sub("\n", text)
                                                 if self._breaks else text).split("\n")
        return "\n".join(line.strip() for line in lines[finding.start_line - 1:finding.end_line])


def _nothing(ctx: AnalyzerContext) -> Sequence[str]:
    return ()


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder.rstrip("/") + "/")


def _key(finding: Finding, code: _Code,
         twin: Callable[[str], str] = str) -> tuple[str, str, str]:
    """What makes a finding the same at the base: its rule, file (`twin`: a base one's at
    the head) and subject — the code on its lines for a per-file analyzer (whose titles may
    count lines or branches: `from line 5`, `(14 > 10)`), else the resource or construct it
    names, else its title."""
    subject = code.of(finding)
    return finding.rule_key, twin(finding.file), subject if code.wanted else \
        finding.symbol or finding.title


def _read(path: Path, errors: str = "strict") -> str | None:
    try:  # its bytes: read as text, a lone CR would end a line, where git's lines go on
        return path.read_bytes().decode("utf-8", errors)
    except (OSError, UnicodeDecodeError):
        return None


def _inside(target: Path, where: Path) -> bool:
    """Whether `target` stays under `where` (a diff's path with `..` or a leading `/`: no)."""
    return os.path.realpath(target).startswith(os.path.realpath(where) + os.sep)
