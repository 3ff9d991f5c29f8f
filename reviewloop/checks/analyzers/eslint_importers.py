"""Unchanged TypeScript files whose type-aware findings a change to a module they import brings
about: `save(): void` made `async save(): Promise<void>` in `src/lib.ts` leaves every unchanged
`save();` a floating promise (`@typescript-eslint/no-floating-promises`), which plain `eslint`
over the project reports and a lint of the changed files alone never sees.

So the unchanged files of a changed TypeScript file's project (its tsconfig's folder, as
`checkov -d` walks a tree: no hidden folder, no `node_modules`) that import it by a relative
specifier (`./lib`, `../lib.js`, `./lib/index`; an `import`, `export … from`, `import()` or
`require`) are linted with the change (`importers`), typed; the same files are linted again
in a copy of the project as it was before the change (`base_messages`), and a message the
head has on one and the base does not is the change's: shown on each changed module it
imports (which of them brought it about the lint cannot tell), on its first changed lines,
naming the importer's line (`shown`). An unchanged barrel that re-exports a changed
module (`export * from "./m.js"`, `export { save } from "./m.js"`, a barrel of barrels) is
followed: its importers meet the change as a direct importer does. A specifier
through the tsconfig's `paths` or a package name is not followed. At most `MAX_IMPORTERS`
files are linted with a change; past that, the changed modules are named as not fully
analysed.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_related import walk
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import FileStatus
from reviewloop.git.names import under
from reviewloop.git.reverse import base_text

MAX_IMPORTERS = 100  # unchanged files linted with one change
RETRIED = "reviewloop_retried"  # the report's key: typed files linted again without types
MAX_BYTES = 1_000_000  # an importer larger than this is not searched
TYPESCRIPT = (".ts", ".tsx", ".mts", ".cts")
# `from "./x"`, `import "./x"`, `import("./x")`, `require("./x")`
_SPECIFIER = re.compile(r"""(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'](\.{1,2}/[^"'\n]*)["']""")
# `export * from "./x"`, `export * as x from "./x"`, `export { a, type B } from "./x"`
_REEXPORT = re.compile(r"""\bexport\s+(?:type\s+)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*"""
                       r"""from\s*["'](\.{1,2}/[^"'\n]*)["']""")
_AS_TYPESCRIPT = {".js": ".ts", ".jsx": ".tsx", ".mjs": ".mts", ".cjs": ".cts"}
MAX_BARRELS = 8  # how many barrels deep re-exports are followed


@dataclass
class Importers:
    """The unchanged files that import a changed module, with the module each imports."""

    # importer → the changed modules it imports
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    left_out: int = 0  # importers past `MAX_IMPORTERS`, not linted
    projects: tuple[str, ...] = ()  # the tsconfig folders they were found in
    modules: tuple[str, ...] = ()  # the changed TypeScript files they were looked for
    # importer → the unchanged barrel it reaches the changed modules through
    through: dict[str, str] = field(default_factory=dict)

    def left_out_named(self) -> dict[str, str]:
        """The changed modules, named as not fully analysed when importers were left out."""
        if not self.left_out:
            return {}
        why = (f"{len(self.files) + self.left_out} unchanged files import the changed "
               f"TypeScript files and reviewloop lints at most {MAX_IMPORTERS} of them with a "
               f"change: the type-aware rules did not run on the {self.left_out} left out")
        return dict.fromkeys(self.modules, why)


def importers(ctx: AnalyzerContext, changed: Iterable[str],
              project_of: Callable[[str], str | None] | None = None) -> Importers:
    """The unchanged TypeScript files of each changed TypeScript file's project (`project_of`:
    its tsconfig's folder, None when none) that import it, once per analyzer context."""
    from reviewloop.checks.analyzers.eslint_env import tsconfig_folder

    place = project_of or (lambda path: tsconfig_folder(ctx.root, path))
    wanted = {p: project for p in changed if p.endswith(TYPESCRIPT)
              and (project := place(p)) is not None}
    return ctx.once("eslint importers", lambda: _found(ctx, wanted))


def _found(ctx: AnalyzerContext, wanted: dict[str, str]) -> Importers:
    found = Importers(projects=tuple(sorted(set(wanted.values()))), modules=tuple(sorted(wanted)))
    every: dict[str, tuple[str, ...]] = {}
    for project in found.projects:
        # what an import reaches the changed modules through → those modules: the modules
        # themselves, then the unchanged barrels re-exporting them, a level per round
        fresh: dict[str, tuple[str, ...]] = {p: (p,) for p, where in wanted.items()
                                             if where == project}
        reached = dict(fresh)
        for _ in range(MAX_BARRELS):
            barrels = _importing(ctx, project, fresh, every, found.through)
            fresh = {b: modules for b, modules in barrels.items() if b not in reached}
            if not fresh:
                break
            reached |= fresh
    found.files = dict(list(every.items())[:MAX_IMPORTERS])
    found.left_out = len(every) - len(found.files)
    return found


def _importing(ctx: AnalyzerContext, project: str, targets: dict[str, tuple[str, ...]],
               every: dict[str, tuple[str, ...]], through: dict[str, str]
               ) -> dict[str, tuple[str, ...]]:
    """Adds to `every` the unchanged files of `project` importing one of `targets` (a changed
    module or a barrel of them), with the changed modules each reaches, and to `through` the
    barrel of each that imports one; returns the files re-exporting one of `targets`."""
    touched = {p for f in ctx.changes.files for p in (f.path, f.old_path) if p}
    stems = {stem for p in targets for stem in _stems(p)}
    barrels: dict[str, tuple[str, ...]] = {}
    for path, entry in walk(under(ctx.root, project), lambda name: name.endswith(TYPESCRIPT)):
        path = posixpath.join(project, path) if project else path
        if path in touched or entry.stat().st_size > MAX_BYTES:
            continue
        imported, reexported = _imported(ctx.root, path, set(targets), stems)
        modules = tuple(dict.fromkeys(m for t in imported for m in targets[t]))
        if not modules:
            continue
        if path not in every and imported[0] not in targets[imported[0]]:  # a barrel's
            through[path] = imported[0]
        every[path] = tuple(dict.fromkeys((*every.get(path, ()), *modules)))
        if reexported:
            barrels[path] = tuple(dict.fromkeys(m for t in reexported for m in targets[t]))
    return barrels


def _stems(path: str) -> tuple[str, ...]:
    """What an import of `path` names: its stem, and for an `index` its folder's name too
    (`./lib` imports `lib/index.ts`)."""
    stem = PurePosixPath(path).stem.removesuffix(".d")
    return (stem, PurePosixPath(path).parent.name) if stem == "index" else (stem,)


def _imported(root: Path, path: str, modules: set[str], stems: set[str]
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each of `modules` the file `path` imports by a relative specifier, in the order of
    its imports (a message the change brought about there may come from any of them), and
    those it re-exports (`export … from`)."""
    try:
        text = under(root, path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return (), ()
    if not any(stem in text for stem in stems):  # the prefilter: most files import none
        return (), ()
    folder = posixpath.dirname(path)
    found = dict.fromkeys(t for s in _SPECIFIER.findall(text)
                          if (t := _target(folder, s, modules)) is not None)
    reexported = dict.fromkeys(t for s in _REEXPORT.findall(text)
                               if (t := _target(folder, s, modules)) is not None)
    return tuple(found), tuple(reexported)


def _target(folder: str, specifier: str, modules: set[str]) -> str | None:
    """The one of `modules` a relative `specifier` in `folder` names, if any."""
    target = posixpath.normpath(posixpath.join(folder, specifier))
    stem, suffix = posixpath.splitext(target)
    for candidate in (target, stem + _AS_TYPESCRIPT.get(suffix, suffix),
                      *(target + s for s in (*TYPESCRIPT, ".d.ts")),
                      *(posixpath.join(target, "index" + s) for s in TYPESCRIPT)):
        if candidate in modules:
            return candidate
    return None


def base_project(ctx: AnalyzerContext, projects: Iterable[str], scratch: Path) -> Path:
    """A copy under `scratch` of each of `projects` as it was before the change: its
    unchanged files as they are, the changed ones at their base text, those the change added
    left out; its `node_modules` linked (the types of its packages)."""
    changed = {f.path: f for f in ctx.changes.files}
    for project in sorted(set(projects)):
        source = under(ctx.root, project)
        for where, folders, names in os.walk(source):
            folders[:] = [d for d in folders if d != "node_modules" and not d.startswith(".")]
            for name in names:
                full = os.path.join(where, name)
                rel = Path(os.path.relpath(full, ctx.root)).as_posix()
                if rel not in changed and not os.path.islink(full):
                    (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(full, scratch / rel)
    for diff in ctx.changes.files:  # before any `node_modules` link: none is written through
        if not any(_under(p, project) for p in (diff.path, diff.old_path or "")
                   for project in projects):
            continue
        head = None if diff.status is FileStatus.DELETED else _text(under(ctx.root, diff.path))
        text = base_text(head, diff)
        target = scratch / (diff.old_path or diff.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is not None and target.resolve().is_relative_to(scratch.resolve()):
            target.write_text(text, encoding="utf-8", errors="surrogateescape")
    for project in sorted(set(projects)):
        _ancestors(ctx.root, project, scratch)
    return scratch


def typed_messages(report: dict[str, Any], found: Importers, where: Callable[[str], str]
                   ) -> list[dict[str, Any]]:
    """The importers' messages of type-aware rules (`requiresTypeChecking`), from the files
    linted with types: an unchanged file's other findings are its own, whatever the change."""
    meta = (report.get("metadata") or {}).get("rulesMeta") or {}
    untyped = set(report.get(RETRIED) or ())
    return [{**m, "file": where(r["filePath"])} for r in report["results"]
            if where(r["filePath"]) in found.files and r["filePath"] not in untyped
            for m in r.get("messages") or []
            if ((meta.get(m.get("ruleId")) or {}).get("docs") or {}).get("requiresTypeChecking")]


def introduced(head: list[dict[str, Any]], base: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """The messages of `head` (dicts with `file`, `ruleId`, `message`) that `base` has not:
    each base message answers for one head message of the same rule, file and words. A file
    the base run could not lint (a fatal message: its project not loaded there) compares
    with nothing, and none of its messages is taken for the change's."""
    failed = {m["file"] for m in base if m.get("fatal")}
    before = Counter((m["file"], m.get("ruleId"), m.get("message")) for m in base)
    new = []
    for message in (m for m in head if m["file"] not in failed):
        key = (message["file"], message.get("ruleId"), message.get("message"))
        if before[key] > 0:
            before[key] -= 1
        else:
            new.append(message)
    return new


def shown(finding: Finding, module: str, ctx: AnalyzerContext, through: str = "") -> Finding:
    """`finding`, on an unchanged importer, shown on the changed `module` it imports
    (`through` an unchanged barrel re-exporting it, if one)."""
    diff = ctx.changes.file(module)
    start, end = diff.changed_ranges[0] if diff is not None and diff.added else (1, 1)
    via = f" through {through}, which re-exports it" if through else ""
    return finding.moved(
        file=module, start_line=start, end_line=end,
        rationale=f"{finding.rationale} It is on {finding.file} line {finding.start_line}, "
        f"which the change did not write and which imports {module}{via}: the change to that "
        "file brings it about (ESLint does not report it at the change's base).")


def _ancestors(root: Path, project: str, scratch: Path) -> None:
    """What the project reads from its folder and the folders above it, up to the tree's
    root: their `node_modules` linked (a workspace's hoisted packages) and their tsconfigs
    and `package.json` copied (a `tsconfig.base.json` the project `extends`)."""
    folder = PurePosixPath(project)
    for above in (folder, *folder.parents) if project else (folder,):
        source, target = under(root, str(above)), scratch / str(above)
        modules = source / "node_modules"
        if modules.is_dir() and not (target / "node_modules").exists():
            target.mkdir(parents=True, exist_ok=True)
            (target / "node_modules").symlink_to(modules.resolve())
        for config in (*source.glob("tsconfig*.json"), source / "package.json"):
            if config.is_file() and not config.is_symlink() and \
                    not (target / config.name).exists():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(config, target / config.name)


def _under(path: str, folder: str) -> bool:
    return bool(path) and (not folder or path.startswith(folder.rstrip("/") + "/"))


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="reviewloop-eslint-base-")
