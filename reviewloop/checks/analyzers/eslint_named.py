"""The ESLint config a project names itself, `eslint -c <path>` / `--config <path>`, for a
changed file: the project's own rules are those of that config, not of the `eslint.config.*`
nearest the file (`eslint_configs.nearest`), which ESLint then does not look up.

Where the project says how it runs ESLint, in this order (the first that names a config wins):

* the `lint` script of the package owning the file (the `package.json` nearest it, from its
  folder up), run from that package's folder, as `npm run lint` does;
* else its `lint:*` scripts (`lint:ci`, `lint:strict`), the first in name order that names
  one: a lenient default for editors beside a strict CI config is linted with the strict one;
* else the `args` of an ESLint hook (`id` holding `eslint`) of the repository's
  `.pre-commit-config.yaml` whose `files` pattern takes the file, run from the root.

The path is the project's, relative to the folder the command runs from; one that is not a
file of the tree (absent, or outside it) is named as an error with the fix, and the files it
would have linted as not read.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

PRE_COMMIT = ".pre-commit-config.yaml"
SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;"})
MISSING = ("{source} runs ESLint with the config {config}, which is not a file of the "
           "project's tree: the project's rules were not run; fix: commit {config}, or "
           "correct the path in {source}")


@dataclass(frozen=True)
class Named:
    """A config the project names: its path in the tree, the folder its command runs from,
    and where it is named (`web/package.json` script `lint:ci`)."""

    config: str
    cwd: str
    source: str

    def problem(self, tree: Path) -> str | None:
        """Why the config cannot be used (not a file of `tree`); None when it can."""
        place = (tree / self.config).resolve()
        if not place.is_relative_to(tree.resolve()) or not place.is_file():
            return MISSING.format(source=self.source, config=self.config)
        return None


def named(tree: Path, file: str) -> Named | None:
    """The config the project names for `file` (a path in `tree`), if it names one."""
    return _scripts(tree, file) or _pre_commit(tree, file)


def config_arg(args: list[str]) -> str | None:
    """The value of the first `-c` / `--config` of ESLint's arguments."""
    for n, arg in enumerate(args):
        if arg in ("-c", "--config") and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith("--config="):
            return arg.removeprefix("--config=")
    return None


def script_config(script: str) -> str | None:
    """The config an npm script's ESLint command names (`npx eslint -c x.mjs . && tsc`)."""
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


def _scripts(tree: Path, file: str) -> Named | None:
    for folder in PurePosixPath(file).parents:
        manifest = tree / folder / "package.json"
        if manifest.is_file():
            scripts = _json(manifest).get("scripts")
            if not isinstance(scripts, dict):
                return None
            names = ["lint", *sorted(k for k in scripts if str(k).startswith("lint:"))]
            for name in names:
                text = scripts.get(name)
                found = script_config(text) if isinstance(text, str) else None
                if found:
                    source = f"{(folder / 'package.json').as_posix()} script `{name}`"
                    return Named(_join(folder, found), folder.as_posix(), source)
            return None
    return None


def _pre_commit(tree: Path, file: str) -> Named | None:
    try:
        data = yaml.safe_load((tree / PRE_COMMIT).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    repos = data.get("repos") if isinstance(data, dict) else None
    for hook in (h for r in repos or [] if isinstance(r, dict) for h in r.get("hooks") or []
                 if isinstance(h, dict) and "eslint" in str(h.get("id", ""))):
        args = hook.get("args")
        found = config_arg([str(a) for a in args]) if isinstance(args, list) else None
        if found and _takes(hook, file):
            source = f"{PRE_COMMIT} hook `{hook['id']}`"
            return Named(_join(PurePosixPath("."), found), ".", source)
    return None


def _takes(hook: dict[str, Any], file: str) -> bool:
    """Whether the hook's `files` / `exclude` patterns (Python regexes) take `file`."""
    try:
        return bool(re.search(str(hook.get("files", "")), file)) and not (
            "exclude" in hook and re.search(str(hook["exclude"]), file))
    except re.error:
        return True


def _join(folder: PurePosixPath, path: str) -> str:
    """`path` (relative to `folder`, or absolute) as a path in the tree, `..` resolved."""
    if PurePosixPath(path).is_absolute():
        return path  # not the tree's: named as missing
    parts: list[str] = []
    for part in (folder / path).parts:
        if part == "..":
            if not parts:
                return path  # outside the tree: named as missing
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return "/".join(parts)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
