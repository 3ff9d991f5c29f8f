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
  is never run: its exported object is read as written (`js_object`), and where code stands
  for the setting (`noInlineConfig: process.env.CI`, `...base`, a computed key) it cannot be
  told, which is named: the comments waive nothing, and the reason says why;
* its flat config sets it and ESLint could not be asked (no node, the config not
  evaluated): the config's exported array is read as written, in the same way (its last
  element taking the file — no `files`, or `files` matching it — decides).
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
from reviewloop.checks.suppressions.js_object import UNKNOWN, exported, value_of

# ESLint 8's names at one folder, in its order (the first there is that folder's config)
ESLINTRC = (".eslintrc.js", ".eslintrc.cjs", ".eslintrc.yaml", ".eslintrc.yml",
            ".eslintrc.json", ".eslintrc", "package.json")
OFF = "ESLint runs with inline configuration off for {file} ({where}): its `eslint-disable` "\
      "comments waive nothing"
UNTOLD = "{config} sets `noInlineConfig` by code the review does not run, so whether ESLint "\
         "reads inline configuration cannot be told: taken as off"
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
        if self.project is None or not self.project.evaluated(path):
            for read, _ in self._sides:  # ESLint not asked: the flat config as written
                if (where := _flat(read, path)) is not None:
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
        if setting is UNKNOWN:
            return UNTOLD.format(config=config.config)
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
        if setting is UNKNOWN:
            return UNTOLD.format(config=found[0])
        if setting is not None:
            return found[0] if setting else None
        if found[1].get("root") is True:
            return None
    return None


def _flat(read: Read, path: str) -> str | None:
    """The nearest flat config of `path` when, read as written, it switches inline
    configuration off for it (its name) or may (why it cannot be told); None: it does not."""
    for folder in PurePosixPath(path).parents:
        prefix = "" if str(folder) == "." else f"{folder}/"
        found = next(((prefix + name, text) for name in FLAT
                      if (text := read(prefix + name)) is not None), None)
        if found is None:
            continue
        if "noInlineConfig" not in found[1]:
            return None
        relative = path if not prefix else path.removeprefix(prefix)
        config = exported(found[1])  # `tseslint.config(…)`: all of it code
        setting = UNKNOWN if config is UNKNOWN else _flat_setting(config, relative)
        if setting is UNKNOWN:
            return UNTOLD.format(config=found[0])
        return found[0] if setting else None
    return None


def _flat_setting(config: Any, relative: str) -> object:
    """What a flat config's array (or one object) sets `linterOptions.noInlineConfig` to
    for `relative`: the last element taking it that sets it; `UNKNOWN` where code in an
    element the file writes may (a whole element in code is another module's: skipped)."""
    setting: object = None
    for element in config if isinstance(config, list) else [config]:
        if element is UNKNOWN:  # another module's config (`js.configs.recommended`)
            continue
        files = value_of(element, "files")
        value = value_of(element, "linterOptions", "noInlineConfig")
        if value is None:
            continue
        if files is UNKNOWN or (isinstance(files, list) and UNKNOWN in files):
            setting = UNKNOWN if value is not False else setting
        elif files is None or any(isinstance(p, str) and matches(p, relative)
                                  for p in (files if isinstance(files, list) else [files])):
            setting = value if isinstance(value, bool) or value is UNKNOWN else setting
    return setting


def _folder_rc(read: Read, folder: PurePosixPath) -> tuple[str, dict[str, Any]] | None:
    """The eslintrc of `folder` (the first of `ESLINTRC` there; a `package.json` only with
    `eslintConfig`) and what it holds; one in code as written (`js_object`); None: none."""
    prefix = "" if str(folder) == "." else f"{folder}/"
    for name in ESLINTRC:
        path = prefix + name
        if name.endswith("js"):
            if (text := read(path)) is not None:
                return path, _code_rc(text)
            continue
        data = _rc(read, path)
        if data is not None:
            return path, data
    return None


def _code_rc(text: str) -> dict[str, Any]:
    """An eslintrc in code as written: its exported object; one this cannot read sets
    nothing unless its text names the setting (then: `UNKNOWN`)."""
    data = exported(text)
    if "noInlineConfig" not in text:  # code elsewhere (`require`d) no more than `extends`
        return {"root": data.get("root")} if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {"noInlineConfig": UNKNOWN}


def _setting(data: dict[str, Any] | None, folder: str, path: str) -> object:
    """What the eslintrc `data` (in `folder`) sets `noInlineConfig` to for `path`: its last
    `overrides` entry that takes the file and sets it, else its own; None: not set;
    `UNKNOWN`: code (an eslintrc in code) may set it."""
    if data is None:
        return None
    relative = path if folder in (".", "") else path.removeprefix(f"{folder}/")
    setting = value_of(data, "noInlineConfig")
    overrides = value_of(data, "overrides")
    if overrides is UNKNOWN:
        return UNKNOWN if setting is not True else True
    for override in overrides if isinstance(overrides, list) else ():
        value = value_of(override, "noInlineConfig")
        if value is None:
            continue
        if value is UNKNOWN or not isinstance(override, dict) or (
                value is True and _unknown_files(override)):
            setting = UNKNOWN
        elif _takes(override, relative):
            setting = value
    return setting if isinstance(setting, bool) or setting is UNKNOWN else None


def _unknown_files(override: dict[str, Any]) -> bool:
    """Whether code stands for an `overrides` entry's `files` (which it may then take)."""
    files = value_of(override, "files")
    return files is UNKNOWN or (isinstance(files, list) and UNKNOWN in files)


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
