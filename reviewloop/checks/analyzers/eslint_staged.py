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
  not run: when its text runs ESLint with `-c`/`--config`, the files it governs are named as
  not read, with that reason.
* make: the Makefile nearest the file (`GNUmakefile`, `makefile`, `Makefile`, GNU make's
  order), run from its folder: the first recipe line, in the file's order, whose ESLint
  command names a config (`@`/`-`/`+` prefixes and `\\` continuations read as make reads
  them; `$(NAME)` and `${NAME}` expanded from the Makefile's own assignments). A path make
  would take from elsewhere (the environment, an included file) names the files as not read.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.eslint_commands import (
    Named,
    ProjectFiles,
    join,
    script_config,
)

# lint-staged's `CONFIG_FILE_NAMES`, in its order
NAMES = ("package.json", "package.yaml", "package.yml", ".lintstagedrc", ".lintstagedrc.json",
         ".lintstagedrc.yaml", ".lintstagedrc.yml", ".lintstagedrc.mjs", ".lintstagedrc.mts",
         ".lintstagedrc.js", ".lintstagedrc.ts", ".lintstagedrc.cjs", ".lintstagedrc.cts",
         "lint-staged.config.mjs", "lint-staged.config.mts", "lint-staged.config.js",
         "lint-staged.config.ts", "lint-staged.config.cjs", "lint-staged.config.cts")
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
SCRIPTED = ("js", "ts")  # the suffixes' endings of a config that is code
NAMES_CONFIG = re.compile(r"eslint[^\n]*?(?:^|[\s'\"`])(?:-c|--config)(?:[\s='\"`]|$)")
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
                # no ESLint `-c` in its text: it names no config
                return Staged(above, path, {}, unread if NAMES_CONFIG.search(text) else None)
            data = files.data(path)
            if name.startswith("package."):
                if not isinstance(data, dict) or "lint-staged" not in data:
                    continue  # lint-staged passes a package file without the key by
                data = data["lint-staged"]
            return Staged(above, path, data if isinstance(data, dict) else {})
    return None


def lint_staged(staged: Staged | None, file: str) -> Named | None:
    """The config the commands of the lint-staged config `staged` (the one nearest `file`)
    name for `file` (see the module's docstring)."""
    if staged is None or staged.unread is not None:
        return None if staged is None else staged.unread
    relative = file if str(staged.folder) == "." else file[len(str(staged.folder)) + 1:]
    for pattern, commands in staged.config.items():
        if not matches(str(pattern), relative):
            continue
        for command in commands if isinstance(commands, list) else [commands]:
            found = script_config(command) if isinstance(command, str) else None
            if found:
                return Named(join(staged.folder, found), staged.folder.as_posix(),
                             f"{staged.path} `{pattern}`")
    return None


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


def makefile(files: ProjectFiles, folder: PurePosixPath) -> Named | None:
    """The config the recipes of the Makefile nearest `folder` name (see the module's
    docstring)."""
    for above in (folder, *folder.parents):
        for name in MAKEFILES:
            path = (above / name).as_posix()
            text = files.text(path)
            if text is None:
                continue
            for target, line in recipes(text):
                found = script_config(line)
                if found:
                    source = f"{path} target `{target}`"
                    if "$" in found:
                        return Named(found, above.as_posix(), source,
                                     UNEXPANDED.format(source=source, config=found))
                    return Named(join(above, found), above.as_posix(), source)
            return None  # make reads this one Makefile in its folder
    return None


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
