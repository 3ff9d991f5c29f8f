"""Whether ESLint reads a file's inline configuration as the project runs it: with it off,
an `eslint-disable` comment (any ESLint directive) waives nothing in the project's lint, so it
waives nothing here either, and the finding stays (`Suppressor`).

It is off for a file when, on the trusted side or in the reviewed tree (a change can only
take waivers away here):

* the project runs ESLint on it with `--no-inline-config`: the command that names its config,
  or any other ESLint command that lints it (`eslint_named.no_inline`: its package's `lint`
  scripts and their chains, lint-staged, the Makefile and what it includes, the pre-commit
  hooks);
* its flat config (the nearest `eslint.config.*`, or the one the project names with `-c`)
  sets `linterOptions.noInlineConfig: true`, as ESLint computes it for the file
  (`ProjectEslint`, evaluated in the sandbox; one that cannot be evaluated says nothing);
* it has no flat config and its eslintrc says `noInlineConfig: true` (ESLint 8's: the config
  named with `-c` when it is one — `.eslintrc.ci.json`, a `.json`/`.yaml`/`.yml` file — over
  the cascade of `.eslintrc.yaml`, `.eslintrc.yml`, `.eslintrc.json`, `.eslintrc` or a
  `package.json`'s `eslintConfig`, the first of them in each folder from the file's up to one
  with `root: true`, the nearest that sets it deciding, an `overrides` entry whose `files`
  take the file over its config's top). An eslintrc in code (`.eslintrc.js`, `.eslintrc.cjs`)
  is not run: it sets nothing here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.eslint_commands import CONFIGS as FLAT
from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.eslint_staged import matches
from reviewloop.checks.suppressions.eslint_project import ProjectEslint
from reviewloop.checks.suppressions.files import TrustedFiles, tree_text

# ESLint 8's names at one folder, in its order (the first there is that folder's config)
ESLINTRC = (".eslintrc.js", ".eslintrc.cjs", ".eslintrc.yaml", ".eslintrc.yml",
            ".eslintrc.json", ".eslintrc", "package.json")
OFF = "ESLint runs with inline configuration off for {file} ({where}): its `eslint-disable` "\
      "comments waive nothing"
Read = Callable[[str], "str | None"]


@dataclass
class InlineConfig:
    """Asks, once per file, whether the project's ESLint reads the file's directives."""

    files: TrustedFiles
    project: ProjectEslint | None = None
    _off: dict[str, str | None] = field(default_factory=dict)
    _sides: list[tuple[Read, NamedConfigs]] = field(default_factory=list)

    def off(self, path: str) -> str | None:
        """Why ESLint reads no inline configuration in `path` (None: it reads it)."""
        if path not in self._off:
            self._off[path] = self._why(path)
        return self._off[path]

    def _why(self, path: str) -> str | None:
        if not self._sides:
            head: Read = partial(tree_text, self.files.root)
            self._sides = [(self.files.trusted_text, NamedConfigs(self.files.trusted_text)),
                           (head, NamedConfigs(head))]
        for read, named in self._sides:
            where = named.no_inline(path) or _configured(read, named, path)
            if where is not None:
                return OFF.format(file=path, where=where)
        if self.project is not None and (where := self.project.no_inline(path)) is not None:
            return OFF.format(file=path, where=where)
        return None


def _configured(read: Read, named: NamedConfigs, path: str) -> str | None:
    """The eslintrc that switches inline configuration off for `path`, when it has no flat
    config (see the module's docstring)."""
    config = named.named(path)
    if config is not None and not config.unread and config.config:
        if PurePosixPath(config.config).suffix in (".js", ".mjs", ".cjs", ".ts", ".mts",
                                                   ".cts"):
            return None  # a flat config: `ProjectEslint` tells
        setting = _setting(_rc(read, config.config), config.cwd, path)
        if setting is not None:
            return config.config if setting else None
    elif any(read((folder / name).as_posix()) is not None
             for folder in PurePosixPath(path).parents for name in FLAT):
        return None
    for folder in PurePosixPath(path).parents:
        found = _folder_rc(read, folder)
        if found is None:
            continue
        setting = _setting(found[1], str(folder), path)
        if setting is not None:
            return found[0] if setting else None
        if found[1].get("root") is True:
            return None
    return None


def _folder_rc(read: Read, folder: PurePosixPath) -> tuple[str, dict[str, Any]] | None:
    """The eslintrc of `folder` (the first of `ESLINTRC` there; a `package.json` only with
    `eslintConfig`) and what it holds; None: none, or one in code (it sets nothing here)."""
    prefix = "" if str(folder) == "." else f"{folder}/"
    for name in ESLINTRC:
        path = prefix + name
        if name.endswith("js"):
            if read(path) is not None:
                return None
            continue
        data = _rc(read, path)
        if data is not None:
            return path, data
    return None


def _setting(data: dict[str, Any] | None, folder: str, path: str) -> bool | None:
    """What the eslintrc `data` (in `folder`) sets `noInlineConfig` to for `path`: its last
    `overrides` entry that takes the file and sets it, else its own; None: not set."""
    if data is None:
        return None
    relative = path if folder in (".", "") else path.removeprefix(f"{folder}/")
    setting = data.get("noInlineConfig")
    for override in data.get("overrides") or ():
        if isinstance(override, dict) and "noInlineConfig" in override \
                and _takes(override, relative):
            setting = override["noInlineConfig"]
    return setting if isinstance(setting, bool) else None


def _takes(override: dict[str, Any], relative: str) -> bool:
    """Whether an eslintrc `overrides` entry's `files` take `relative`, its `excludedFiles`
    not (minimatch, `matchBase` for a pattern without `/`, dot-files included)."""
    def listed(key: str) -> list[str]:
        value = override.get(key) or []
        return [value] if isinstance(value, str) else [str(v) for v in value]
    return any(matches(p, relative) for p in listed("files")) and \
        not any(matches(p, relative) for p in listed("excludedFiles"))


def _rc(read: Read, path: str) -> dict[str, Any] | None:
    """The eslintrc at `path` as ESLint 8 reads it (JSON with comments, or YAML; a
    `package.json`'s `eslintConfig`); None: no such file, or no object there."""
    name = PurePosixPath(path).name
    text = read(path)
    if text is None:
        return None
    if name == "package.json":
        data = _json(text)
        data = data.get("eslintConfig") if isinstance(data, dict) else None
    elif name.endswith(".json"):
        data = _json(text)
    else:
        data = anchored_yaml.load(text)
    return data if isinstance(data, dict) else None


def _json(text: str) -> object:
    """JSON with `//` and `/* */` comments, as ESLint's `strip-json-comments` reads it."""
    # the JS lexer only with an eslintrc to read: an offline review of no JS loads none of it
    from reviewloop.checks.suppressions.js_lexer import js_comments

    blanked = list(text)
    for start, end in js_comments(text):
        blanked[start:end] = " " * (end - start)
    try:
        return json.loads("".join(blanked))
    except (ValueError, RecursionError):
        return None
