"""The ESLint config a project names in its lint-staged config or its Makefile (`eslint -c
<path>` in a command they run), for `eslint_named`, which asks them after the `package.json`
scripts and before the pre-commit hook.

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
* make: the Makefile nearest the file (`GNUmakefile`, `makefile`, `Makefile`, GNU make's
  order), run from its folder: the first recipe line, in the file's order, whose ESLint
  command names a config and lints the file (its paths, relative to where it runs, take it;
  a command with no path lints its folder), after a leading `cd DIR &&` (`@`/`-`/`+`
  prefixes and `\\` continuations read as make reads them; `$(NAME)` and `${NAME}` expanded
  from the Makefile's own assignments). A path make would take from elsewhere (the
  environment, an included file) names the files as not read.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.eslint_commands import (
    CONFIGS,
    Named,
    ProjectFiles,
    join,
    runs,
)

# lint-staged's `CONFIG_FILE_NAMES`, in its order
NAMES = ("package.json", "package.yaml", "package.yml", ".lintstagedrc", ".lintstagedrc.json",
         ".lintstagedrc.yaml", ".lintstagedrc.yml", ".lintstagedrc.mjs", ".lintstagedrc.mts",
         ".lintstagedrc.js", ".lintstagedrc.ts", ".lintstagedrc.cjs", ".lintstagedrc.cts",
         "lint-staged.config.mjs", "lint-staged.config.mts", "lint-staged.config.js",
         "lint-staged.config.ts", "lint-staged.config.cjs", "lint-staged.config.cts")
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
SCRIPTED = ("js", "ts")  # the suffixes' endings of a config that is code
# a string literal of JavaScript: each is read as a command of a config in code
_LITERAL = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"|`((?:[^`\\]|\\.)*)`")
_GLOB = re.compile(r"[*?\[\]{}()!]")
UNRUN = ("the project's lint-staged config {path} is {kind}, which reviewloop does not run, "
         "and it runs ESLint with a config of its own (-c/--config): that config was not "
         "applied, the project's rules were not run; fix: write it as .lintstagedrc.json")
UNEXPANDED = ("{source} runs ESLint with the config {config}, which make takes from outside "
              "the Makefile (the environment, an included file): that config was not "
              "applied, the project's rules were not run; fix: write its path in the Makefile")
_VARIABLE = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?::{1,3}|\?|!)?=\s*(.*)$")
_TARGET = re.compile(r"^([^\s:#=][^:=]*?)\s*::?(?!=)")
_REFERENCE = re.compile(r"\$(?:\(([^()$]+)\)|\{([^{}$]+)\})")


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
                    return Named(*named, f"{staged.path} `{pattern}`")
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


@dataclass(frozen=True)
class Recipe:
    """A recipe's ESLint command that names a config: the config, and the paths it lints
    (paths in the tree, or globs of them; `$` in one: a path make takes from elsewhere)."""

    named: Named
    paths: tuple[str, ...]

    def lints(self, file: str) -> bool:
        """Whether the command lints `file` (one of its paths is it, holds it, or takes it)."""
        for path in self.paths:
            if "$" in path or path == "." or file == path or file.startswith(f"{path}/"):
                return True
            if _GLOB.search(path) and _globbed(path, file):
                return True
        return False


def makefile(files: ProjectFiles, folder: PurePosixPath) -> tuple[Recipe, ...]:
    """The ESLint commands that name a config in the recipes of the Makefile nearest
    `folder`, in its order (see the module's docstring)."""
    for above in (folder, *folder.parents):
        for name in MAKEFILES:
            path = (above / name).as_posix()
            text = files.text(path)
            if text is not None:  # make reads this one Makefile in its folder
                return tuple(_recipes(path, above, text))
    return ()


def made(recipes_: tuple[Recipe, ...], file: str) -> Named | None:
    """The config of the first of `recipes_` that lints `file`."""
    return next((recipe.named for recipe in recipes_ if recipe.lints(file)), None)


def _recipes(path: str, above: PurePosixPath, text: str) -> Iterator[Recipe]:
    for target, line in recipes(text):
        for run in runs(line):
            if run.config is None:
                continue
            source = f"{path} target `{target}`"
            cwd = join(above, run.cd) or "."
            paths = tuple(p if "$" in p else join(PurePosixPath(cwd), p) or "."
                          for p in run.paths or (".",))
            if "$" in run.config:
                yield Recipe(Named(run.config, cwd, source, UNEXPANDED.format(
                    source=source, config=run.config)), paths)
            else:
                yield Recipe(Named(join(PurePosixPath(cwd), run.config), cwd, source), paths)


def _globbed(pattern: str, file: str) -> bool:
    """Whether the glob `pattern` ESLint is given (a path in the tree) takes `file`, or a
    file under a folder it takes."""
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.BRACE | glob.EXTGLOB | glob.DOTGLOB
    try:
        return any(glob.globmatch(p.as_posix(), pattern, flags=flags, limit=1000)
                   for p in (PurePosixPath(file), *PurePosixPath(file).parents))
    except ValueError:
        return False


def recipes(text: str) -> Iterator[tuple[str, str]]:
    """(target, command) of each recipe line of the Makefile `text`, continuations joined,
    its prefixes (`@`, `-`, `+`) dropped and the Makefile's own variables expanded."""
    variables: dict[str, str] = {}
    target = ""
    for line in re.sub(r"\\\n[ \t]*", " ", text).splitlines():
        if line.startswith("\t"):
            if target:
                yield target, _expanded(line.strip().lstrip("@-+ "), variables)
            continue
        bare = line.split("#", 1)[0].rstrip()
        if (assigned := _VARIABLE.match(bare)) is not None:
            variables[assigned[1]] = assigned[2].strip()
        elif (rule := _TARGET.match(bare)) is not None:
            target = rule[1].split()[0]


def _expanded(line: str, variables: dict[str, str]) -> str:
    """`line` with make's references to `variables` replaced (five levels deep; `$$` is `$`,
    an unknown one kept as `${NAME}`, one word of the shell's)."""
    for _ in range(5):
        done = _REFERENCE.sub(lambda m: variables.get(m[1] or m[2], f"${{{m[1] or m[2]}}}"),
                              line)
        if done == line:
            break
        line = done
    return line.replace("$$", "$")
