"""The ESLint config a project's Makefile names (`eslint -c <path>` in a recipe), for
`eslint_named`, which asks it after the scripts and lint-staged and before the pre-commit hook.

The Makefile nearest the file (`GNUmakefile`, `makefile`, `Makefile`, GNU make's order), run
from its folder: the first recipe line, in make's order, whose ESLint command names a config
and lints the file (its paths, relative to where it runs, take it; a command with no path
lints its folder), after a leading `cd DIR &&` (`@`/`-`/`+` prefixes and `\\` continuations
read as make reads them; `$(NAME)` and `${NAME}` expanded from the Makefile's own
assignments, those of the files it includes too).

`include FILE…`, `-include` and `sinclude` read each file where the directive stands, its
recipes and assignments then the Makefile's own, as make reads them: a path relative to the
folder make runs in (the Makefile's: GNU make resolves every include from its working
folder, a nested one too), `$(NAME)` expanded. A file that is not there, is no file of the
tree (`../`, an absolute path), a glob or a name make would take from elsewhere is passed by
(make itself would fail on a missing `include`); one already being read is not read again
(a cycle), `MAX_INCLUDED` files deep is as far as includes are followed, and `MAX_FILES`
files are read for one Makefile at most (includes that fan out cannot stall the review). A
config path make takes from elsewhere (the environment) names the files as not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.eslint_commands import Named, ProjectFiles, join, runs

MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
ROOT = PurePosixPath(".")
MAX_INCLUDED = 8  # includes deep
MAX_FILES = 64  # files read for one Makefile, its includes all together
UNEXPANDED = ("{source} runs ESLint with the config {config}, which make takes from outside "
              "the Makefile and the files it includes (the environment, its command line, "
              "an included file that is not in the tree): that config was not "
              "applied, the project's rules were not run; fix: write its path in the Makefile")
_VARIABLE = re.compile(r"^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?::{1,3}|\?|!)?=\s*(.*)$")
_TARGET = re.compile(r"^([^\s:#=][^:=]*?)\s*::?(?!=)")
_INCLUDE = re.compile(r"^\s*(?:-include|sinclude|include)\s+(.*)$")
_REFERENCE = re.compile(r"\$(?:\(([^()$]+)\)|\{([^{}$]+)\})")
_GLOB = re.compile(r"[*?\[\]{}()!]")


@dataclass(frozen=True)
class Recipe:
    """An ESLint command that names a config (`""`: none, but it says `--no-inline-config`):
    the config, and the paths it lints (paths in the tree, or globs of them; `$` in one: a
    path make takes from elsewhere)."""

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


def nearest(files: ProjectFiles, folder: PurePosixPath) -> str | None:
    """The Makefile nearest `folder` (make reads the one of its folder: the first of
    `MAKEFILES` there)."""
    for above in (folder, *folder.parents):
        for name in MAKEFILES:
            if files.text(path := (above / name).as_posix()) is not None:
                return path
    return None


def makefile(files: ProjectFiles, path: str) -> tuple[Recipe, ...]:
    """The ESLint commands that name a config in the recipes of the Makefile `path` and the
    files it includes, in make's order (see the module's docstring)."""
    text = files.text(path)
    above = PurePosixPath(path).parent
    return tuple(_recipes(files, path, above, text)) if text is not None else ()


def made(recipes_: tuple[Recipe, ...], file: str) -> Named | None:
    """The config of the first of `recipes_` that names one and lints `file`."""
    return next((recipe.named for recipe in recipes_
                 if recipe.named.config and recipe.lints(file)), None)


def _recipes(files: ProjectFiles, path: str, above: PurePosixPath,
             text: str) -> Iterator[Recipe]:
    for where, target, line in recipes(text, path, files, above):
        for run in runs(line):
            if run.config is None and not run.no_inline:
                continue
            source = f"{where} target `{target}`"
            cwd = join(above, run.cd) or "."
            paths = tuple(p if "$" in p else join(PurePosixPath(cwd), p) or "."
                          for p in run.paths or (".",))
            if run.config is None:  # it names none, and reads no inline configuration
                yield Recipe(Named("", cwd, source, no_inline=True), paths)
            elif "$" in run.config:
                yield Recipe(Named(run.config, cwd, source, UNEXPANDED.format(
                    source=source, config=run.config), run.no_inline), paths)
            else:
                yield Recipe(Named(join(PurePosixPath(cwd), run.config), cwd, source,
                                   no_inline=run.no_inline), paths)


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


class _Reading:
    """One reading of a Makefile and what it includes: make's variables and the target the
    recipe lines belong to, shared by all the files it reads."""

    def __init__(self, files: ProjectFiles | None, folder: PurePosixPath) -> None:
        self.files, self.folder = files, folder
        self.variables: dict[str, str] = {}
        self.target = ""
        self.budget = MAX_FILES

    def lines(self, text: str, path: str, reading: tuple[str, ...]
              ) -> Iterator[tuple[str, str, str]]:
        for line in re.sub(r"\\\n[ \t]*", " ", text).splitlines():
            if line.startswith("\t"):
                if self.target:
                    yield path, self.target, expanded(line.strip().lstrip("@-+ "),
                                                      self.variables)
                continue
            bare = line.split("#", 1)[0].rstrip()
            if (included := _INCLUDE.match(bare)) is not None:
                yield from self._included(included[1], reading)
                self.target = ""  # a directive ends the rule before it, as in make
            elif (assigned := _VARIABLE.match(bare)) is not None:
                self.variables[assigned[1]] = assigned[2].strip()
            elif (rule := _TARGET.match(bare)) is not None:
                self.target = rule[1].split()[0]

    def _included(self, names: str, reading: tuple[str, ...]
                  ) -> Iterator[tuple[str, str, str]]:
        if self.files is None or len(reading) > MAX_INCLUDED:
            return
        for name in expanded(names, self.variables).split():
            path = join(self.folder, name)
            if "$" in name or _GLOB.search(name) or not path or path in reading \
                    or path.startswith(("/", "../")):
                continue
            if self.budget <= 0:
                return
            text = self.files.text(path)
            self.budget -= 1
            if text is not None:
                self.target = ""
                yield from self.lines(text, path, (*reading, path))


def recipes(text: str, path: str = "Makefile", files: ProjectFiles | None = None,
            folder: PurePosixPath = ROOT) -> Iterator[tuple[str, str, str]]:
    """(the file it is in, target, command) of each recipe line of the Makefile `path`
    whose text is `text`, continuations joined, its prefixes (`@`, `-`, `+`) dropped and the
    Makefile's own variables expanded; the files it includes read where it includes them,
    from `files`, relative to `folder` (make's)."""
    return _Reading(files, folder).lines(text, path, (path,))


def expanded(line: str, variables: dict[str, str]) -> str:
    """`line` with make's references to `variables` replaced (five levels deep; `$$` is `$`,
    an unknown one kept as `${NAME}`, one word of the shell's)."""
    for _ in range(5):
        done = _REFERENCE.sub(lambda m: variables.get(m[1] or m[2], f"${{{m[1] or m[2]}}}"),
                              line)
        if done == line:
            break
        line = done
    return line.replace("$$", "$")
