"""Which of the trusted side's ruff configs governs each file, as plain `ruff check .` picks
it: the closest one, with its `extend` chain followed.

ruff settles a file's settings by the nearest folder, from the file's own up to the root,
holding a `.ruff.toml`, `ruff.toml` or a `pyproject.toml` with `[tool.ruff]` (in that order
at one folder); a config takes another's settings only through `extend = "../base.toml"`
(a path from its own folder), its own settings winning. The review read only the root's
config and never followed `extend`: `api/ruff.toml` selecting `T20`, or a root `ruff.toml`
that is only `extend = "config/ruff-shared.toml"`, added nothing, and the review passed
complete while `ruff check .` reported T201 (the fuzzer's D3, D3b).

Every file read is the trusted side's (`trusted_config`), or the change's own when its edit
only tightens it (`tightened_text`: rules added, ignores dropped, `target-version` raised;
plain ruff after the merge reports what it adds, and it hides nothing). An `extend` that leaves the
repository, names a file the trusted side does not have, does not parse, or comes back to a
config already in the chain is not followed, and says why (`Governing.problem`): the
settings read so far still apply, and the files that config governs are named as not fully
analysed. An `extend` to a `pyproject.toml` without `[tool.ruff]` adds nothing and ends the
chain, as ruff reads it (an empty config); the review named it as not parsing.

A config the project's pre-commit ruff hook passes (`args: [--config, ci/ruff.toml]`,
`--config=ci/ruff.toml`; `precommit_hooks`) replaces the discovered one for every file, as
`ruff check --config` does, its own path patterns (`per-file-ignores`, `exclude`, `src`,
`include`) read from the repository's root (ruff resolves them from its working folder,
where pre-commit runs it); its `extend` chain is followed as any config's. The review
read only the discovered configs (the fuzzer's D4). A hook config the trusted side does not
have, or that does not parse, names the files as not fully analysed.
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.precommit_hooks import PRE_COMMIT, hook_config, refused
from reviewloop.checks.analyzers.trusted_config import tightened_text, trusted_named
from reviewloop.git.names import folder_of

CONFIGS = (".ruff.toml", "ruff.toml", "pyproject.toml")  # ruff's precedence at one folder
# lists a config adds to what it extends rather than replacing it (ruff's `extend-*`)
ADDING = frozenset({"extend-select", "extend-fixable", "extend-include",
                    "extend-exclude", "extend-per-file-ignores", "extend-safe-fixes",
                    "extend-unsafe-fixes"})
# the deselections each config in a chain applies to the selection so far, in turn (ruff
# reads a config's `extend-ignore` as more of its `ignore`: a later `select` drops both)
LAYERED = frozenset({"ignore", "extend-ignore"})
HOOKS = frozenset({"ruff", "ruff-check"})  # astral-sh/ruff-pre-commit's linting hooks
# settings holding paths or path patterns, which ruff reads from its working folder in a
# `--config` file (keys: the pattern-keyed tables; values: the lists)
KEYED_PATTERNS = frozenset({"per-file-ignores", "extend-per-file-ignores",
                            "per-file-target-version"})
LISTED_PATHS = frozenset({"exclude", "extend-exclude", "include", "extend-include"})
FOLDER_LISTS = frozenset({"src", "namespace-packages"})  # folders, never a name's pattern


@dataclass(frozen=True)
class Governing:
    """The config that governs some files: where it is, its settings with what it extends
    merged in, and why part of its chain was not read (None: all of it was)."""

    path: str
    table: dict[str, Any] = field(hash=False, compare=False)
    problem: str | None = None
    # the chain as ruff reads it, one (path, own settings) a config, the farthest first:
    # each config's path patterns start at its own folder, and its selection is its own layer
    layers: tuple[tuple[str, dict[str, Any]], ...] = field(default=(), hash=False,
                                                           compare=False)

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)


class Lookup:
    """The governing config of files of one review, each folder's config read once."""

    def __init__(self, ctx: AnalyzerContext | None,
                 read: Callable[[str], str | None] | None = None, *,
                 config: str | None = None):
        """The trusted side's configs (`ctx`), or those `read` gives (a file's text by its
        repository path: the change's base, `review.introduced`); `config`: the one passed
        with `--config` (with `ctx`: the one its pre-commit hook passes)."""
        self._folders: dict[str, Governing | None] = {}
        # the config governing the files of a folder: asked of each of 5,000 changed files
        # by both ruff analyzers, twice, the walks up its folders cost 27 ms (now 11)
        self._governs: dict[str, Governing | None] = {}
        # at a base commit, the configs it holds, listed once: a folder without one is not
        # asked for three files (a git call each)
        self._present = trusted_named(ctx, frozenset(CONFIGS)) if ctx is not None else None
        self._text: Callable[[str], str | None] = read if read is not None else \
            lambda path: tightened_text(ctx, path) if ctx is not None else None
        # `ruff check --config PATH` as the project's pre-commit hook runs it: PATH for all
        given = hook_config(ctx, HOOKS, ("--config",)) if ctx is not None else config
        # a pre-commit config whose aliases stand for too much: what it passes is not known
        why = refused(ctx, HOOKS) if ctx is not None else None
        self._refused = None if why is None else Governing(PRE_COMMIT, {}, why)
        self._fixed = given if given is not None and ("=" not in given or
                                                     given.endswith(".toml")) else None

    def of(self, path: str) -> Governing | None:
        """The config that governs the file `path`; None when no folder up to the root has
        one."""
        if self._refused is not None:
            return self._refused
        if self._fixed is not None:
            return self.at(self._fixed)  # read once, as any folder's
        start = folder_of(path)  # asked of every file, three times a ruff (`dirname`'s set-up)
        try:
            return self._governs[start]
        except KeyError:
            found = self._governs[start] = self._walk(start)
            return found

    def _walk(self, folder: str) -> Governing | None:
        """The config of `folder` or of the nearest folder above it that has one."""
        while True:
            found = self.at(folder)
            if found is not None or not folder:
                return found
            folder = posixpath.dirname(folder)

    def at(self, folder: str) -> Governing | None:
        """The config of `folder` itself (its chain followed), None when it has none."""
        if folder not in self._folders:
            self._folders[folder] = self._read(folder)
        return self._folders[folder]

    def _read(self, folder: str) -> Governing | None:
        if folder == self._fixed:
            return self._hooked(folder)
        for name in CONFIGS:
            path = posixpath.join(folder, name)
            if self._present is not None and path not in self._present:
                continue
            text = self._text(path)
            if text is None:
                continue
            table = _ruff_table(name, text)
            if table is None and name == "pyproject.toml":
                continue  # a pyproject.toml without [tool.ruff] is no ruff config
            if table is None:
                return Governing(path, {}, f"{path} does not parse")
            merged, problem, layers = _extended(self._text, path, table, (path,))
            return Governing(path, merged, problem, layers)
        return None


    def _hooked(self, path: str) -> Governing:
        """The config the pre-commit hook passes with `--config`, its patterns from the root."""
        said = f"{PRE_COMMIT}'s ruff hook passes --config {path}"
        text = self._text(path) if path.split("/")[0] != ".." and \
            not posixpath.isabs(path) else None
        if text is None:
            return Governing(path, {}, f"{said}, which the trusted side does not have; fix: "
                                       "commit that file or correct the hook's args")
        table = _ruff_table(path, text)
        if table is None and path.endswith("pyproject.toml") and _parses(text):
            table = {}  # ruff reads a pyproject.toml without [tool.ruff] as an empty config
        if table is None:
            return Governing(path, {}, f"{said}, which does not parse")
        merged, problem, layers = _extended(self._text, path,
                                            _from_root(table, posixpath.dirname(path)), (path,))
        return Governing(path, merged, problem, layers)


def _from_root(table: dict[str, Any], folder: str) -> dict[str, Any]:
    """`table` with its path settings written from `folder` (where the chain anchors them)
    for the paths ruff reads from the root: `pkg/*` in `ci/ruff.toml` becomes `../pkg/*`. A
    pattern without a `/` stays as written: ruff matches it against a file's name too."""
    up = "/".join(".." for _ in folder.split("/")) if folder else ""
    if not up:
        return table

    def rebased(value: Any, folder: bool = False) -> Any:
        return posixpath.normpath(posixpath.join(up, value)) if isinstance(value, str) and (
            "/" in value or folder) else value

    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "lint" and isinstance(value, dict):
            out[key] = _from_root(value, folder)
        elif key in KEYED_PATTERNS and isinstance(value, dict):
            out[key] = {("!" + rebased(k[1:]) if k.startswith("!") else rebased(k)): v
                        for k, v in value.items()}
        elif key in LISTED_PATHS | FOLDER_LISTS and isinstance(value, list):
            out[key] = [rebased(v, key in FOLDER_LISTS) for v in value]
        else:
            out[key] = value
    return out


def grouped(ctx: AnalyzerContext, files: Iterable[str]) -> dict[Governing, list[str]]:
    """{governing config: the files of `files` it governs}; files no config governs are
    left out."""
    lookup = Lookup(ctx)
    groups: dict[Governing, list[str]] = {}
    for path in files:
        found = lookup.of(path)
        if found is not None:
            groups.setdefault(found, []).append(path)
    return groups


def _ruff_table(name: str, text: str) -> dict[str, Any] | None:
    """The ruff settings of a config file's text: the whole of a ruff.toml, `[tool.ruff]` of
    a pyproject.toml; None when it does not parse, or a pyproject.toml has no such table."""
    try:
        table: Any = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if posixpath.basename(name) == "pyproject.toml":
        tool = table.get("tool")
        table = tool.get("ruff") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _parses(text: str) -> bool:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return True


Layers = tuple[tuple[str, dict[str, Any]], ...]


def _extended(read: Callable[[str], str | None], path: str, table: dict[str, Any],
              chain: tuple[str, ...]) -> tuple[dict[str, Any], str | None, Layers]:
    """`table` (the config at `path`) over what its `extend` names, followed to the end;
    why a link was not followed, if one was not; and the chain's layers, farthest first."""
    target = table.get("extend")
    own = ((path, table),)
    if not isinstance(target, str):
        return table, None, own
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    said = f"{path} extends {target}"
    if posixpath.isabs(target) or target.startswith("~") or joined.split("/")[0] == "..":
        return table, f"{said}, outside the repository", own
    if joined in chain:
        return table, f"{said}, back in its own chain ({' -> '.join(chain)})", own
    text = read(joined)
    if text is None:
        return table, f"{said}, which the trusted side does not have", own
    base = _ruff_table(joined, text)
    if base is None and posixpath.basename(joined) == "pyproject.toml" and _parses(text):
        base = {}  # ruff extends a pyproject.toml without [tool.ruff] as an empty config
    if base is None:
        return table, f"{said}, which does not parse", own
    base, problem, layers = _extended(read, joined, base, (*chain, joined))
    return merged(base, table), problem, (*layers, *own)


def merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over`'s settings over `base`'s, as ruff resolves a chain: tables merge key by key
    but for `per-file-ignores` (replaced whole), an `extend-*` list and an `ignore` (or
    `extend-ignore`) add to the base's, any other setting replaces it (a `select` starts the
    selection afresh, dropping the ignores above it)."""
    out = {k: v for k, v in base.items() if k != "extend"}
    if "select" in over:  # a later `select` replaces the whole selection, its ignores too
        for key in ("extend-select", *LAYERED):
            out.pop(key, None)
    for key, value in over.items():
        if key == "extend":
            continue
        old = out.get(key)
        if key in LAYERED and isinstance(old, list) and isinstance(value, list):
            out[key] = [*old, *value]  # ruff applies each config's ignores in turn
        elif key == "per-file-ignores":
            out[key] = value  # the whole table replaced (`extend-per-file-ignores` adds)
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = merged(old, value)
        elif key in ADDING and isinstance(old, list) and isinstance(value, list):
            out[key] = [*old, *value]
        else:
            out[key] = value
    return out
