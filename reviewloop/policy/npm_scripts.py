"""The scripts of a `package.json` that one script runs, as `npm run NAME` runs them: the one
chain follower, asked by ESLint's script reader (`checks.analyzers.eslint_scripts`: the
commands a `lint` script ends in) and by the install-script levers (`policy.lever_tables`:
every script an install hook reaches).

A script that runs another (`npm run setup`, `yarn setup`, `pnpm run setup`, `bun run setup`,
`npm-run-all` / `run-s` / `run-p` lists, `lint:*` globs among them) is followed, its extra
words (`npm run lint:ci -- --max-warnings 0`) put after that script's text as npm puts them,
through `&&` chains and leading `NAME=value` / `cross-env` / `env` prefixes.

* A chain is followed `MAX_DEPTH` scripts deep; a script that runs itself, directly or
  through others, is not followed again (npm would never end it). At most `MAX_CALLS` scripts
  are read for one walk, all chains together: a package whose chains fan out past that (a
  reviewed tree's `run-s '*'` in every script) is read no further, its review never stalled.
* Only a runner at the package's folder is followed (after `cd DIR &&`, or with `--prefix`,
  `--workspace`, `--filter`, `--cwd` or `--dir`, it runs another package's script).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

MAX_DEPTH = 8  # scripts deep, as a chain of `npm run` is followed
MAX_CALLS = 200  # scripts read for one walk, whatever the chains: `run-s 's*'` in each
# of 20 scripts `s1`…`s20` would otherwise be 20^8 readings
# the package managers' words that run a script: `npm run x`, `yarn x`, `pnpm run x`
RUNNERS = {"npm": ("run", "run-script", "rum", "urn"), "yarn": ("run", ""),
           "pnpm": ("run", "run-script", ""), "bun": ("run",)}
LISTS = frozenset({"npm-run-all", "npm-run-all2", "run-s", "run-p"})
ELSEWHERE = frozenset({"--prefix", "-C", "--workspace", "-w", "--workspaces", "--filter",
                       "-F", "--cwd", "--dir", "--recursive", "-r"})
LIST_VALUED = frozenset({"--max-parallel", "--npm-path"})  # npm-run-all's valued options
SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;"})
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Step:
    """One command of a script a walk read: the folder it runs in (relative to the
    package's), its words, the chain of scripts it is in (the first: where the walk began;
    the last: the script that holds it), and the scripts of the package it runs (none: a
    command of its own)."""

    cd: str
    words: list[str]
    chain: tuple[str, ...]
    runs: tuple[str, ...] = ()


def walk(scripts: Mapping[str, Any], name: str, extra: str = "",
         chain: tuple[str, ...] | None = None, budget: list[int] | None = None, *,
         pre_post: bool = False) -> Iterator[Step]:
    """Each command of the script `name` (`extra`: the words its caller adds) and, after
    each one that runs other scripts, theirs, followed as the module says; `budget`: how
    many more scripts may be read (shared by the caller's walks; default `MAX_CALLS`).
    `pre_post`: a script run by name brings its `pre<name>` and `post<name>` scripts, as
    npm (and yarn 1, pnpm with `enable-pre-post-scripts`) runs them."""
    chain = chain or (name,)
    budget = [MAX_CALLS] if budget is None else budget
    text = scripts.get(name)
    budget[0] -= 1
    if not isinstance(text, str) or budget[0] < 0:
        return
    for cd, command in commands(f"{text} {extra}".rstrip()):
        called = _called(scripts, _unprefixed(command)) if cd == "." else []
        if pre_post:
            called = [(each, words) for target, more in called for each, words in (
                (f"pre{target}", ""), (target, more), (f"post{target}", ""))
                if isinstance(scripts.get(each), str)]
        yield Step(cd, command, chain, tuple(target for target, _ in called))
        for target, more in called:
            if target not in chain and len(chain) < MAX_DEPTH:
                yield from walk(scripts, target, more, (*chain, target), budget,
                                pre_post=pre_post)


def reached(scripts: Mapping[str, Any], name: str) -> dict[str, tuple[str, ...]]:
    """Every script that running `name` runs, directly or through others (their `pre` and
    `post` scripts too), with the first chain that reaches it (`name` first, it last); one
    run past `MAX_DEPTH` is named but not read further."""
    found: dict[str, tuple[str, ...]] = {}
    for step in walk(scripts, name, pre_post=True):
        for target in step.runs:
            found.setdefault(target, (*step.chain, target))
    found.pop(name, None)
    return found


def commands(script: str) -> list[tuple[str, list[str]]]:
    """(the folder it runs in, its words) of each command of the shell command line `script`
    but `cd`, in its order; those after a `cd` the tree does not say are left out, and a
    line the shell's quoting cannot read has none."""
    try:
        lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return []
    found: list[tuple[str, list[str]]] = []
    cd: str | None = "."
    command: list[str] = []
    for token in [*tokens, ";"]:
        if token not in SEPARATORS:
            command.append(token)
            continue
        if command and command[0] == "cd":
            cd = _moved(cd, command[1:])
        elif command and cd is not None:
            found.append((cd, command))
        command = []
    return found


def join(folder: PurePosixPath, path: str) -> str:
    """`path` (relative to `folder`, or absolute) as a path in the tree, `..` resolved."""
    if PurePosixPath(path).is_absolute():
        return path  # not the tree's: named as missing
    parts: list[str] = []
    for part in (folder / path).parts:
        if part == "..":
            if not parts:
                return path if path.startswith("../") else f"../{path}"  # outside the tree
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _moved(cd: str | None, args: list[str]) -> str | None:
    """The folder after `cd args` from `cd` (None: one the tree does not say: `cd $DIR`,
    `cd /app`, `cd -`, or `cd` home)."""
    if cd is None or len(args) != 1 or args[0].startswith(("/", "~", "-")) or "$" in args[0]:
        return None
    return join(PurePosixPath(cd), args[0]) or "."


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
        return []  # `npm test`, `npm exec`: no script of the chain
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
