"""An ESLint command line as a project writes it (an npm script, a lint-staged command, a
Makefile recipe, a pre-commit hook's args) and the config it names with `-c` / `--config`,
read as ESLint's own command line reads it: `-c PATH`, `--config PATH`, `--config=PATH`, the
last one given winning (optionator refuses `-cPATH`). `eslint_named` says where a project
writes one.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from reviewloop.checks.analyzers.precommit_hooks import option
from reviewloop.config import load_yaml

SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;"})
OPTION = ("-c", "--config")
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


def script_config(script: str) -> str | None:
    """The config a shell command line's ESLint command names (`npx eslint -c x.mjs . &&
    tsc`): of its first ESLint command that names one."""
    try:
        lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return None
    for n, token in enumerate(tokens):
        if PurePosixPath(token).name == "eslint":
            end = next((m for m in range(n + 1, len(tokens)) if tokens[m] in SEPARATORS),
                       len(tokens))
            if (found := config_arg(tokens[n + 1:end])) is not None:
                return found
    return None


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


def yaml_data(text: str | None) -> object:
    """The YAML (or JSON) document `text` holds; None for no text, or one that does not
    parse."""
    if text is None:
        return None
    from yaml import YAMLError

    try:
        return load_yaml(text)
    except (YAMLError, RecursionError):
        return None
