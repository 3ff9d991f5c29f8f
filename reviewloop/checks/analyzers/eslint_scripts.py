"""The ESLint commands a package's `lint` scripts run, as `npm run lint` runs them, for
`eslint_named`: a script that runs another (`npm run lint:ci`, `yarn lint:ci`, `pnpm run
lint:ci`, `bun run lint:ci`, `npm-run-all` / `run-s` / `run-p` lists, `lint:*` globs among
them) is followed to the ESLint command it ends in, its extra words (`npm run lint:ci --
--max-warnings 0`) put after that script's text as npm puts them, through `&&` chains and
leading `NAME=value` / `cross-env` / `env` prefixes.

* A chain is followed `MAX_DEPTH` scripts deep; a script that runs itself, directly or
  through others, is not followed again (npm would never end it): it names nothing more.
  At most `MAX_CALLS` scripts are read for one package, all chains together: a package whose
  chains fan out past that (a reviewed tree's `run-s '*'` in every script) is read no
  further, its review never stalled by it.
* Only a runner at the package's folder is followed (after `cd DIR &&`, or with `--prefix`,
  `--workspace`, `--filter`, `--cwd` or `--dir`, it runs another package's script).
* Each ESLint command lints the paths it names (relative to the folder it runs in; none:
  that folder), and its `-c` applies to those only: `"lint": "eslint -c web.mjs web/"` beside
  `"lint:api": "eslint -c api.mjs api/"` lints web/ with one and api/ with the other; a file
  neither takes is left to the next source (`eslint_named`), then to ESLint's own lookup.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.eslint_commands import (
    Named,
    Run,
    commands,
    eslint_run,
    join,
)
from reviewloop.checks.analyzers.eslint_make import Recipe

MAX_DEPTH = 8  # scripts deep, as a chain of `npm run` is followed
MAX_CALLS = 200  # scripts read for one package, whatever the chains: `run-s 's*'` in each
# of 20 scripts `s1`…`s20` would otherwise be 20^8 readings
# the package managers' words that run a script: `npm run x`, `yarn x`, `pnpm run x`
RUNNERS = {"npm": ("run", "run-script", "rum", "urn"), "yarn": ("run", ""),
           "pnpm": ("run", "run-script", ""), "bun": ("run",)}
LISTS = frozenset({"npm-run-all", "npm-run-all2", "run-s", "run-p"})
ELSEWHERE = frozenset({"--prefix", "-C", "--workspace", "-w", "--workspaces", "--filter",
                       "-F", "--cwd", "--dir", "--recursive", "-r"})
LIST_VALUED = frozenset({"--max-parallel", "--npm-path"})  # npm-run-all's valued options
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def script_recipes(scripts: Mapping[str, Any], folder: PurePosixPath) -> tuple[Recipe, ...]:
    """Each ESLint command of the package's `lint` script, then of its `lint:*` ones in name
    order (the package at `folder`), with the config it names (`""`: none) and the paths in
    the tree it lints; where each is named: the script the chain starts from, and the
    scripts it went through (`script `lint` (through `lint:ci`)`)."""
    found: list[Recipe] = []
    budget = [MAX_CALLS]
    for name in ["lint", *sorted(str(k) for k in scripts if str(k).startswith("lint:"))]:
        for run, chain in _runs(scripts, name, "", (name,), budget):
            source = f"{(folder / 'package.json').as_posix()} script `{name}`" + (
                f" (through {', '.join(f'`{c}`' for c in chain[1:])})" if chain[1:] else "")
            cwd = join(folder, run.cd) or "."
            paths = tuple(p if "$" in p else join(PurePosixPath(cwd), p) or "."
                          for p in run.paths or (".",))
            config = "" if run.config is None else join(PurePosixPath(cwd), run.config)
            found.append(Recipe(Named(config, cwd, source, no_inline=run.no_inline), paths))
    return tuple(found)


def _runs(scripts: Mapping[str, Any], name: str, extra: str, chain: tuple[str, ...],
          budget: list[int]) -> Iterator[tuple[Run, tuple[str, ...]]]:
    """The ESLint commands the script `name` runs (`extra`: the words its caller adds), each
    with the chain of scripts it is in (`chain`: those that ran `name`, and it); `budget`:
    how many more scripts may be read for the package."""
    text = scripts.get(name)
    budget[0] -= 1
    if not isinstance(text, str) or budget[0] < 0:
        return
    for cd, command in commands(f"{text} {extra}".rstrip()):
        words = _unprefixed(command)
        called = _called(scripts, words) if cd == "." else []
        if not called:
            if (run := eslint_run(cd, command)) is not None:
                yield run, chain
            continue
        for target, more in called:
            if target not in chain and len(chain) < MAX_DEPTH:
                yield from _runs(scripts, target, more, (*chain, target), budget)


def _unprefixed(command: list[str]) -> list[str]:
    """`command` without its leading `NAME=value` words, `cross-env` and `env`."""
    at = 0
    while at < len(command) and (_ENV.match(command[at]) or PurePosixPath(
            command[at]).name in ("cross-env", "env", "cross-env-shell")):
        at += 1
    return command[at:]


def _called(scripts: Mapping[str, Any], words: list[str]) -> list[tuple[str, str]]:
    """(script, the words added to it) for each script of the package `words` runs: a
    package manager's `run`, or an npm-run-all list; none for any other command."""
    if not words:
        return []
    tool = PurePosixPath(words[0]).name
    if tool in LISTS:
        return _listed(scripts, words[1:])
    verbs = RUNNERS.get(tool)
    if verbs is None or ELSEWHERE & {w.partition("=")[0] for w in words[1:]}:
        return []  # no package manager's, or another package's script
    at = _plain(words, 1)
    if at < len(words) and words[at] in verbs and words[at]:
        at = _plain(words, at + 1)  # `run NAME`
    elif "" not in verbs:
        return []  # `npm test`, `npm exec`: no script of the lint chain
    if at >= len(words) or not isinstance(scripts.get(words[at]), str):
        return []  # `yarn eslint …`: a binary, read as a command
    more = words[at + 1:]
    return [(words[at], shlex.join(more[1:] if more[:1] == ["--"] else more))]


def _plain(words: list[str], at: int) -> int:
    """Where the first word of `words` from `at` on that is no option is (its length: none)."""
    while at < len(words) and words[at].startswith("-"):
        at += 1
    return at


def _listed(scripts: Mapping[str, Any], args: list[str]) -> list[tuple[str, str]]:
    """The scripts an npm-run-all command runs, in its order (`lint:*`: each `lint:` one,
    `lint:**` deeper too); a quoted `"name -- words"` adds its words."""
    found: list[tuple[str, str]] = []
    skip = False
    for word in args:
        if skip or word.startswith("-"):
            skip = not skip and word in LIST_VALUED
            continue
        pattern, _, more = word.partition(" ")
        more = more.strip().removeprefix("--").strip()
        for name in _matching(scripts, pattern):
            found.append((name, more))
    return found


def _matching(scripts: Mapping[str, Any], pattern: str) -> list[str]:
    """The scripts npm-run-all's `pattern` names: itself, or those its `*` (within a `:`
    part) and `**` (across them) take, in the package's order."""
    if "*" not in pattern:
        return [pattern] if isinstance(scripts.get(pattern), str) else []
    regex = re.compile("".join(".*" if part == "**" else "[^:]*" if part == "*"
                               else re.escape(part)
                               for part in re.split(r"(\*\*|\*)", pattern)))
    return [str(k) for k in scripts if regex.fullmatch(str(k))]
