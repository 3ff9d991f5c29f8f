"""The ESLint config a project names in its lint-staged config (`eslint -c <path>` in a
command it runs), for `eslint_named`, which asks it after the `package.json` scripts and
before the Makefile (`eslint_make`) and the pre-commit hook.

* lint-staged: the config nearest the file (lint-staged takes the closest one to each staged
  file), its names in lint-staged's own order at one folder (`NAMES`): a `package.json` or
  `package.yaml` counts only with a `"lint-staged"` key. Each glob that takes the file (a
  micromatch glob relative to the config's folder, dot-files included, one without `/`
  matching the base name; held to micromatch itself in tests/checks/analyzers/
  test_eslint_named.py) runs its commands, a string or a list; the first whose ESLint
  command names a config wins, run from the config's folder. A config in JavaScript or
  TypeScript (`.lintstagedrc.js`, `lint-staged.config.mjs`, …) is code, which reviewloop does
  not run: its string literals are read as its commands, and when an ESLint command among
  them names a config (its own `-c`, not another tool's) that is not the one ESLint finds for
  the file by itself, the file is named as not read, with that reason, unless a source after
  it (the Makefile, the pre-commit hook) names a config for it: one the project does run.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.eslint_commands import (
    CONFIGS,
    Named,
    ProjectFiles,
    runs,
)

# lint-staged's `CONFIG_FILE_NAMES`, in its order
NAMES = ("package.json", "package.yaml", "package.yml", ".lintstagedrc", ".lintstagedrc.json",
         ".lintstagedrc.yaml", ".lintstagedrc.yml", ".lintstagedrc.mjs", ".lintstagedrc.mts",
         ".lintstagedrc.js", ".lintstagedrc.ts", ".lintstagedrc.cjs", ".lintstagedrc.cts",
         "lint-staged.config.mjs", "lint-staged.config.mts", "lint-staged.config.js",
         "lint-staged.config.ts", "lint-staged.config.cjs", "lint-staged.config.cts")
SCRIPTED = ("js", "ts")  # the suffixes' endings of a config that is code
# a string literal of JavaScript: each is read as a command of a config in code
_LITERAL = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"|`((?:[^`\\]|\\.)*)`")
UNRUN = ("the project's lint-staged config {path} is {kind}, which reviewloop does not run, "
         "and it runs ESLint with a config of its own (-c/--config): that config was not "
         "applied, the project's rules were not run; fix: write it as .lintstagedrc.json")


@dataclass(frozen=True)
class Staged:
    """The lint-staged config nearest a folder: its folder and path, and its mapping (glob
    → commands), or the `Named` that says why it is not read (a config in code)."""

    folder: PurePosixPath
    path: str
    config: dict[str, Any]
    unread: Named | None = None
    named: frozenset[str] = frozenset()  # the configs a config in code names, in the tree


def staged_config(files: ProjectFiles, folder: PurePosixPath) -> Staged | None:
    """The lint-staged config lint-staged uses for the files of `folder` (the nearest)."""
    for above in (folder, *folder.parents):
        prefix = "" if str(above) == "." else f"{above}/"
        for name in NAMES:
            path = prefix + name
            text = files.text(path)
            if text is None:
                continue
            if name.rpartition(".")[2].endswith(SCRIPTED):
                kind = "TypeScript" if name.endswith("ts") else "JavaScript"
                unread = Named("", above.as_posix(), path, UNRUN.format(path=path, kind=kind))
                return Staged(above, path, {}, unread, _code_configs(text, above))
            data = files.data(path)
            if data is anchored_yaml.EXPANDS and (
                    not name.startswith("package.") or "lint-staged" in text):
                why = anchored_yaml.REFUSED.format(path=path, tool="ESLint")
                return Staged(above, path, {}, Named("", above.as_posix(), path, why))
            if name.startswith("package."):
                if not isinstance(data, dict) or "lint-staged" not in data:
                    continue  # lint-staged passes a package file without the key by
                data = data["lint-staged"]
            return Staged(above, path, data if isinstance(data, dict) else {})
    return None


def lint_staged(files: ProjectFiles, staged: Staged | None, file: str) -> Named | None:
    """The config the commands of the lint-staged config `staged` (the one nearest `file`)
    name for `file` (see the module's docstring)."""
    if staged is None or staged.unread is not None:
        if staged is None or (staged.path.rpartition(".")[2].endswith(SCRIPTED) and (
                staged.named <= {default(files, file)})):
            return None  # names no config, or the one ESLint finds for the file anyway
        return staged.unread
    relative = file if str(staged.folder) == "." else file[len(str(staged.folder)) + 1:]
    for pattern, commands in staged.config.items():
        if not matches(str(pattern), relative):
            continue
        for command in commands if isinstance(commands, list) else [commands]:
            for run in runs(command) if isinstance(command, str) else []:
                if (named := run.named(staged.folder)) is not None:
                    return Named(*named, f"{staged.path} `{pattern}`",
                                 no_inline=run.no_inline)
    return None


def staged_no_inline(staged: Staged | None, file: str) -> str | None:
    """Where the commands the lint-staged config `staged` runs on `file` say
    `--no-inline-config` (None: none of them does, or the config is code)."""
    if staged is None or staged.unread is not None:
        return None
    relative = file if str(staged.folder) == "." else file[len(str(staged.folder)) + 1:]
    for pattern, commands in staged.config.items():
        if matches(str(pattern), relative) and any(
                run.no_inline for command in (commands if isinstance(commands, list)
                                              else [commands])
                for run in (runs(command) if isinstance(command, str) else [])):
            return f"{staged.path} `{pattern}`"
    return None


def default(files: ProjectFiles, file: str) -> str | None:
    """The flat config ESLint finds for `file` by itself: the nearest (`eslint_configs`)."""
    for folder in PurePosixPath(file).parents:
        for name in CONFIGS:
            if files.text(path := (folder / name).as_posix()) is not None:
                return path
    return None


def _code_configs(text: str, folder: PurePosixPath) -> frozenset[str]:
    """The configs (paths in the tree) the ESLint commands of a config in code name: each of
    its string literals read as a command line, from the config's folder."""
    return frozenset(named[0] for literal in _LITERAL.finditer(text)
                     for run in runs(next(g for g in literal.groups() if g is not None))
                     if (named := run.named(folder)) is not None)


def matches(pattern: str, path: str) -> bool:
    """Whether lint-staged's glob `pattern` takes `path` (relative to its config's folder):
    micromatch with `dot`, and `matchBase` for a pattern without `/`."""
    try:
        return bool(_compiled(pattern)(path))
    except ValueError:  # a pattern wcmatch cannot read takes nothing
        return False


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Callable[[str], bool]:
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.BRACE | glob.EXTGLOB | glob.DOTGLOB | glob.NEGATE
    if "/" not in pattern:
        flags |= glob.MATCHBASE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return glob.compile(pattern, flags=flags, limit=1000).match
