"""Which ESLint config the project's own `eslint` reads for a changed file of the trusted tree,
and why reviewloop's ESLint cannot run it, when it cannot: the files the project's rules would
have linted and did not are named as not read (`eslint_project.py`), never quietly left out.

* The flat config nearest the file, from its folder up (ESLint 10's lookup, nested configs
  included), in ESLint's order at one folder (`eslint_commands.CONFIGS`). A TypeScript one
  (`eslint.config.ts`, `.mts`, `.cts`) ESLint loads with jiti only, which reviewloop's ESLint
  pins beside it (`node/eslint/package.json`); a tools folder from before lacks it.
* With no flat config, a legacy one (ESLint 8's `.eslintrc*`, or `package.json`'s
  `eslintConfig`): ESLint 10 dropped them, so the project's rules cannot run.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.eslint_commands import CONFIGS
from reviewloop.checks.json_files import json_object

LEGACY = (".eslintrc.js", ".eslintrc.cjs", ".eslintrc.yaml", ".eslintrc.yml", ".eslintrc.json",
          ".eslintrc")  # ESLint 8's order at one folder
TYPESCRIPT = tuple(c for c in CONFIGS if c.endswith("ts"))
NO_JITI = ("the project's ESLint config {config} is TypeScript, which ESLint loads only with "
           "jiti, and reviewloop's ESLint has none: its rules were not run; fix: rename it "
           "eslint.config.mjs, without its type annotations")
LEGACY_CONFIG = ("the project's ESLint config {config} is a legacy one (ESLint 8), which "
                 "reviewloop's ESLint 10 does not read: its rules were not run; fix: migrate it "
                 "to a flat config, eslint.config.mjs{how}")
MIGRATE = " (npx @eslint/migrate-config {config})"


def nearest(tree: Path, file: str) -> str | None:
    """The flat config ESLint reads for `file` (a path in `tree`), as a path in `tree`."""
    for folder in _folders(file):
        for name in CONFIGS:
            if (tree / folder / name).is_file():
                return (PurePosixPath(folder) / name).as_posix()
    return None


def legacy(tree: Path, file: str) -> str | None:
    """The nearest legacy config above `file`: `.eslintrc*`, or a `package.json` with an
    `eslintConfig` key (`folder/package.json#eslintConfig`)."""
    for folder in _folders(file):
        for name in LEGACY:
            if (tree / folder / name).is_file():
                return (PurePosixPath(folder) / name).as_posix()
        if _eslint_key(tree / folder / "package.json"):
            return (PurePosixPath(folder) / "package.json").as_posix() + "#eslintConfig"
    return None


def unrunnable(tree: Path, tool_home: Path, file: str, named: str | None = None) -> str | None:
    """Why the project's rules cannot run on `file` (with the config it names for it, if
    any: `eslint_named.py`); None when they can, or the project has no ESLint config for it."""
    config = named or nearest(tree, file)
    if config is None:
        old = legacy(tree, file)
        if old is None:
            return None
        how = "" if old.endswith("#eslintConfig") else MIGRATE.format(config=old)
        return LEGACY_CONFIG.format(config=old, how=how)
    if config.endswith(TYPESCRIPT) and not has_jiti(tool_home):
        return NO_JITI.format(config=config)
    return None


def has_jiti(tool_home: Path) -> bool:
    """Whether ESLint (in `tool_home`) can import jiti, which loads a TypeScript config."""
    return (tool_home / "node_modules" / "jiti" / "package.json").is_file()


def _folders(file: str) -> list[str]:
    """`file`'s folder and those above it, in the tree, nearest first ("." the top)."""
    return [p.as_posix() for p in PurePosixPath(file).parents]


def _eslint_key(manifest: Path) -> bool:
    return manifest.is_file() and "eslintConfig" in json_object(manifest)
