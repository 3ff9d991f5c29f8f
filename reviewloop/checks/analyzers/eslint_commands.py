"""An ESLint command line as a project writes it (an npm script, a lint-staged command, a
Makefile recipe, a pre-commit hook's args) and the config it names with `-c` / `--config`,
read as ESLint's own command line reads it: `-c PATH`, `--config PATH`, `--config=PATH`, the
last one given winning (optionator refuses `-cPATH`). `eslint_named` says where a project
writes one.

A line is split into its commands at `&&`, `||`, `;`, `|`, `&`: only an ESLint command's own
`-c` counts (`prettier --config x` beside it names nothing). A leading `cd DIR &&` moves the
commands after it, as the shell does; an ESLint command run inside a container (`docker run
… eslint`, `docker compose exec … eslint`) lints the container's files, not the tree's, and is
left out. The paths an ESLint command lints are its words that are no option or option value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.precommit_hooks import option
from reviewloop.policy.npm_scripts import commands, join

OPTION = ("-c", "--config")
NO_INLINE = "--no-inline-config"  # ESLint's switch: no comment directive is read
# the flat configs ESLint finds by itself, in its order at one folder (the TypeScript ones
# load with jiti: `eslint_configs.py`)
CONFIGS = ("eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts",
           "eslint.config.mts", "eslint.config.cts")
CONTAINERS = frozenset({"docker", "docker-compose", "podman", "nerdctl", "kubectl"})
VALUED = frozenset({  # ESLint's options that take a value (the next word, unless `=`)
    "-c", "--config", "-f", "--format", "-o", "--output-file", "--ext", "--rulesdir",
    "--parser", "--parser-options", "--plugin", "--rule", "--env", "--global",
    "--resolve-plugins-relative-to", "--ignore-path", "--ignore-pattern", "--max-warnings",
    "--cache-location", "--cache-strategy", "--stdin-filename", "--fix-type", "--flag",
    "--report-unused-disable-directives-severity", "--concurrency", "--print-config"})
MISSING = ("{source} runs ESLint with the config {config}, which is not a file of the "
           "project's tree: the project's rules were not run; fix: commit {config}, or "
           "correct the path in {source}")
Read = Callable[[str], "str | None"]  # a repository path's text on the trusted side, or None


class ProjectFiles(Protocol):
    """A project's files as the trusted side has them, each read and parsed once."""

    def text(self, path: str) -> str | None:
        """The text of the repository path `path`; None when there is no such file."""

    def data(self, path: str) -> object:
        """What `path` holds: a `.json` file's object (`{}` for none), else its YAML."""


@dataclass(frozen=True)
class Named:
    """A config the project names: its path in the tree, the folder its command runs from,
    and where it is named (`web/package.json` script `lint:ci`); `unread`: why what names it
    could not be read (the file is then not read either)."""

    config: str
    cwd: str
    source: str
    unread: str = ""
    no_inline: bool = False  # its command says `--no-inline-config`

    def problem(self, read: Read | Path) -> str | None:
        """Why the config cannot be used (not a file of the tree `read` reads, or a `Path`
        to it; what names it not read); None when it can."""
        if self.unread:
            return self.unread
        if isinstance(read, Path):
            tree = read.resolve()
            place = (tree / self.config).resolve()
            there = place.is_relative_to(tree) and place.is_file()
        else:
            there = not self.config.startswith(("/", "../")) and read(self.config) is not None
        return None if there else MISSING.format(source=self.source, config=self.config)


def config_arg(args: list[str] | None) -> str | None:
    """The value of the last `-c` / `--config` of ESLint's arguments (`--config=PATH` too)."""
    return option(args, OPTION, joined=False)


@dataclass(frozen=True)
class Run:
    """One ESLint command of a command line: the config it names (None: none), as written;
    the folder it runs in, relative to where the line starts (`web` after `cd web &&`); and
    the paths it lints, as written (none: its folder); `no_inline`: it says
    `--no-inline-config` (its files' `eslint-disable` comments waive nothing)."""

    config: str | None
    cd: str
    paths: tuple[str, ...]
    no_inline: bool = False

    def named(self, folder: PurePosixPath) -> tuple[str, str] | None:
        """(config, cwd) as paths in the tree, for a line run from `folder`; None when the
        command names no config."""
        if self.config is None:
            return None
        cwd = join(folder, self.cd) or "."
        return join(PurePosixPath(cwd), self.config), cwd


def runs(script: str) -> list[Run]:
    """The ESLint commands of the shell command line `script`, in its order (see the
    module's docstring); none for a line the shell's quoting cannot read."""
    return [run for cd, command in commands(script) if (run := eslint_run(cd, command))]


def eslint_run(cd: str, command: list[str]) -> Run | None:
    """`command` (its words, run in the folder `cd`) as an ESLint command; None: none."""
    if (at := _eslint_at(command)) is None:
        return None
    args = command[at + 1:]
    return Run(config_arg(args), cd, _paths(args), NO_INLINE in _options(args))


def script_config(script: str) -> str | None:
    """The config a shell command line's ESLint command names (`npx eslint -c x.mjs . &&
    tsc`), as written: of its first ESLint command that names one."""
    return next((run.config for run in runs(script) if run.config is not None), None)


def _eslint_at(command: list[str]) -> int | None:
    """Where ESLint's own word is in `command`; None for no ESLint, or one in a container."""
    for at, word in enumerate(command):
        if PurePosixPath(word).name == "eslint":
            return None if CONTAINERS & {PurePosixPath(w).name for w in command[:at]} else at
    return None


def _options(args: list[str]) -> list[str]:
    """The words of ESLint's arguments `args` that are options (before a `--`)."""
    return [w for w in args[:args.index("--") if "--" in args else len(args)]
            if w.startswith("-")]


def _paths(args: list[str]) -> tuple[str, ...]:
    """The words of ESLint's arguments `args` that are paths: no option, no option's value."""
    paths: list[str] = []
    skip = False
    for at, word in enumerate(args):
        if word == "--":
            return (*paths, *args[at + 1:])
        if skip or word.startswith("-"):
            skip = not skip and word in VALUED
            continue
        paths.append(word)
    return tuple(paths)


def yaml_data(text: str | None) -> object:
    """The YAML (or JSON) document `text` holds, read as pre-commit and lint-staged read it
    (aliases expanded: `anchored_yaml`); None for no text, or one that does not parse,
    `anchored_yaml.EXPANDS` for one whose aliases stand for too much."""
    return anchored_yaml.load(text)
