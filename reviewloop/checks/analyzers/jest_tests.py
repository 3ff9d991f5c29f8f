"""The test files jest's own configuration selects, where it is static data: the JSON file
the test script's `jest --config` names (followed through `npm run`), else the trusted
`package.json`'s `jest` key or `jest.config.json`; each of its `projects` (inline, or a folder
or JSON file with its own) selects files too (rev12 D5). A `jest.config.js`, `.ts`, `.mjs`,
`.cjs` (at the root or named by `--config`), a `vitest.config.*`, or the `vite.config.*` or
`vitest --config` file vitest reads when the test script runs it, is code, never run here:
`unread_configs` names it, so what says a file is production code can say its runner's
selection was not read.

Jest takes a file for a test when it lies under one of `roots` (default `<rootDir>`), its
absolute path matches one of `testMatch` (micromatch globs, `<rootDir>` the package folder)
or, in its place, one of `testRegex`, and no `testPathIgnorePatterns` regex (default
`/node_modules/`). A file of the repository is asked about as `/<path>`: the package's
absolute path stands for a folder jest's patterns do not name.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewloop.checks.analyzers.jest_cli import JestCommand, jest_commands
from reviewloop.checks.analyzers.script_tests import (
    runner_argv,
    script_commands,
    unread_commands,
)

# the files jest's default moduleFileExtensions make scripts a test may be
JEST_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
CODE_CONFIGS = ("jest.config.js", "jest.config.ts", "jest.config.mjs", "jest.config.cjs")
VITEST_CONFIGS = tuple(f"vitest.config.{s}" for s in ("ts", "js", "mjs", "mts", "cjs", "cts"))
VITE_CONFIGS = tuple(f"vite.config.{s}" for s in ("ts", "js", "mjs", "mts", "cjs", "cts"))


@dataclass(frozen=True)
class JestTests:
    """What the trusted jest configuration selects (`declared`: whether there is one read;
    `projects`: the selections of its `projects`, any of which runs a file; `name`: its
    `displayName`; `patterns`: the test script's path patterns, one of which a file matches;
    `narrowed`: whether the script's jest commands chose among its files, all read)."""

    declared: bool = False
    roots: tuple[str, ...] = ("",)
    match: tuple[re.Pattern[str], ...] = ()
    ignore: tuple[re.Pattern[str], ...] = (re.compile("/node_modules/"),)
    projects: tuple[JestTests, ...] = ()
    name: str | None = None
    patterns: tuple[re.Pattern[str], ...] = ()
    narrowed: bool = False

    def runs(self, path: str, checkout: str = "") -> bool:
        """Whether jest runs the file; `checkout`: the package's absolute folder, where the
        script's path patterns are searched as jest searches them (rev13 D5: `jest src` in
        `~/src/app` runs `e2e/a.test.js`)."""
        absolute = f"/{path}"
        if self.patterns and not any(p.search(f"{checkout}{absolute}") for p in self.patterns):
            return False
        if self.projects:
            return any(p.runs(path, checkout) for p in self.projects)
        return self.declared and any(r == "" or path.startswith(f"{r}/") for r in self.roots) \
            and any(p.search(absolute) for p in self.match) \
            and not any(p.search(absolute) for p in self.ignore)


def jest_tests(read: Callable[[str], str | None]) -> JestTests:
    """The jest configuration of the package at the repository root, `read` giving a trusted
    file's text by its name: the file the test script's `jest --config` names, else
    `jest.config.json` or package.json's `jest` key; each of its `projects` in its place;
    narrowed by the path patterns and project names of the test script's jest commands."""
    commands = jest_commands(read)
    configured = _configured(read, commands)
    if not configured.declared or not commands or any(c.unread for c in commands) \
            or unread_commands(read("package.json")):
        return configured  # another command of the script may run any file (rev13 D4)
    narrowed = tuple(_narrowed(configured, c) for c in commands)
    if any(n is None for n in narrowed):
        return configured
    if all(n is configured for n in narrowed):
        return configured
    return JestTests(True, projects=tuple(n for n in narrowed if n is not None), narrowed=True)


def _narrowed(configured: JestTests, command: JestCommand) -> JestTests | None:
    """What one jest command runs of the configuration: its projects the command selects by
    name (a project without a `displayName` never, as jest's own filter), the files of those
    its path patterns match; None when a pattern is no regex here."""
    patterns = command.pattern_regexes()
    if patterns is None:
        return None
    if command.select is None and not command.ignore and not patterns:
        return configured
    projects = configured.projects or (configured,)
    kept = tuple(p for p in projects
                 if (command.select is None or (p.name and p.name in command.select))
                 and not (p.name and p.name in command.ignore))
    return JestTests(True, projects=kept, patterns=patterns) if kept else \
        JestTests(True, match=())  # jest runs none


def _configured(read: Callable[[str], str | None],
                commands: tuple[JestCommand, ...]) -> JestTests:
    """The configuration's own selection, before the test script's command narrows it."""
    found = _config(read, commands)
    if found is None:
        return JestTests()
    config, base = found
    projects = config.get("projects")
    if not isinstance(projects, list) or not projects:
        return _selection(config, base)
    selections, unread = _projects(read, projects, _root(config, base), base)
    # a glob, code, or a folder with no configuration: named by `unread_selections`
    return JestTests() if unread else JestTests(True, projects=selections)


def _projects(read: Callable[[str], str | None], projects: list, root: str,
              base: str) -> tuple[tuple[JestTests, ...], tuple[str, ...]]:
    """Each project's selection, and the projects not read (as written)."""
    selections, unread = [], []
    for project in projects:
        if isinstance(project, dict):  # its rootDir from the config file's folder
            selections.append(_selection(project, base))
            continue
        named = _project(read, project.replace("<rootDir>", root) if "<rootDir>" in project
                         else posixpath.join(root, project)) \
            if isinstance(project, str) else None
        if named is None:
            unread.append(str(project))
        else:
            selections.append(_selection(*named))
    return tuple(selections), tuple(unread)


def unread_selections(read: Callable[[str], str | None]) -> tuple[str, ...]:
    """What chooses the files jest runs and is not read here, as the user wrote it: an option
    of the test script's jest command (`jest --findRelatedTests`), a path pattern that is no
    regex here, a project given as a glob, a JS config, or a folder with no configuration;
    and, when the jest commands narrow, the script's other commands whose files are not read
    (`tsx --test e2e/`), for which jest is not narrowed."""
    commands = jest_commands(read)
    found = [f"jest {option}" for c in commands for option in c.unread]
    if any(c.patterns or c.select is not None or c.ignore for c in commands):
        found += unread_commands(read("package.json"))  # jest not narrowed for these
    found += [f"jest {' '.join(c.patterns)}" for c in commands if c.pattern_regexes() is None]
    config = _config(read, commands)
    projects = config[0].get("projects") if config is not None else None
    if isinstance(projects, list):
        unread = _projects(read, projects, _root(*config), config[1])[1] if config else ()
        found += [f"jest project {p}" for p in unread]
    return tuple(dict.fromkeys(found))


def unread_configs(read: Callable[[str], str | None]) -> tuple[str, ...]:
    """The runner configurations that are code, so their test selection is unknown: at the
    root, or named by the test script's `jest --config`."""
    named = _named_config(jest_commands(read))
    at_root = tuple(name for name in (*CODE_CONFIGS, *VITEST_CONFIGS) if read(name) is not None)
    if named is not None and not named.startswith("{") and not named.endswith(".json") \
            and read(named) is not None and named not in at_root:
        at_root = (named, *at_root)
    return tuple(dict.fromkeys((*at_root, *_vite_configs(read, at_root))))


def _vite_configs(read: Callable[[str], str | None], named: tuple[str, ...]) -> tuple[str, ...]:
    """The configuration vitest reads when the test script runs it, unless `named` already:
    the file its `--config` names, else the root `vite.config.*` (vitest's `test` key in it)
    when there is no `vitest.config.*`."""
    runs = False
    for command in script_commands(read("package.json")):
        try:
            argv = runner_argv(shlex.split(command))
        except ValueError:
            continue
        if argv[:1] != ["vitest"]:
            continue
        runs = True
        for word, after in zip(argv, [*argv[1:], ""], strict=True):
            value = after if word in ("--config", "-c") else \
                word.partition("=")[2] if word.startswith("--config=") else ""
            if value and read(_relative(value)) is not None:
                return (_relative(value),)
    if not runs or any(name in VITEST_CONFIGS for name in named):
        return ()
    return tuple(name for name in VITE_CONFIGS if read(name) is not None)[:1]


def _config(read: Callable[[str], str | None],
            commands: tuple[JestCommand, ...]) -> tuple[dict, str] | None:
    """The jest configuration jest reads, and the folder it is in; None when it is code."""
    named = _named_config(commands)
    if named is not None:
        if named.startswith("{"):  # `--config '{"testMatch": …}'`
            config = _json(named)
        else:
            config = _json(read(named)) if named.endswith(".json") else None
        return (config, posixpath.dirname(named)) if config is not None else None
    if any(read(name) is not None for name in CODE_CONFIGS):
        return None  # code: named by `unread_configs`
    config = _json(read("jest.config.json"))
    if config is None:
        manifest = _json(read("package.json"))
        config = manifest.get("jest") if manifest is not None else None
    if isinstance(config, dict):
        return config, ""
    return ({}, "") if commands else None  # the script runs jest with its defaults


def _named_config(commands: tuple[JestCommand, ...]) -> str | None:
    """The config the test script hands jest (`--config X`, `-c X`, `--config=X`)."""
    for command in commands:
        value = command.config
        if value is not None:
            return value.strip() if value.lstrip().startswith("{") else _relative(value)
    return None


def _project(read: Callable[[str], str | None], path: str) -> tuple[dict, str] | None:
    """A project named by its folder or config file: its configuration and folder."""
    path = _relative(path)
    if re.search(r"[*?\[{]", path) or path.endswith((".js", ".ts", ".mjs", ".cjs")):
        return None
    if path.endswith(".json"):
        config = _json(read(path))
        return (config, posixpath.dirname(path)) if config is not None else None
    inside = f"{path}/" if path else ""
    if any(read(f"{inside}{name}") is not None for name in CODE_CONFIGS):
        return None
    config = _json(read(f"{inside}jest.config.json"))
    if config is None:
        manifest = _json(read(f"{inside}package.json")) or {}
        config = manifest.get("jest") if isinstance(manifest.get("jest"), dict) else None
    return (config, path) if config is not None else None  # none: jest looks further up


def _root(config: dict, base: str) -> str:
    """The configuration's rootDir as a repository path (default: its file's folder)."""
    root_dir = config.get("rootDir")
    if not isinstance(root_dir, str):
        return base
    return _relative(posixpath.normpath(posixpath.join(base, root_dir.replace("<rootDir>", base))))


def _selection(config: dict, base: str) -> JestTests:
    """What one configuration (of a file in folder `base`) selects."""
    root = _root(config, base)
    prefix = f"/{root}" if root else ""

    def place(value: str) -> str:  # `<rootDir>` in a pattern over `/<path>`
        return value.replace("<rootDir>", prefix)

    roots = tuple(_relative(r.replace("<rootDir>", root) if "<rootDir>" in r else f"{root}/{r}")
                  for r in _strings(config.get("roots"))) or (root,)
    regexes = _strings(config.get("testRegex"))
    if regexes:
        match = tuple(p for p in map(_regex, regexes) if p is not None)
    else:
        globs = _strings(config.get("testMatch"))
        match = tuple(re.compile(f"^{glob_regex(place(g))}$") for g in globs) if globs else \
            tuple(re.compile(f"^{glob_regex(g)}$") for g in _DEFAULT_MATCH)
    ignores = config.get("testPathIgnorePatterns")
    ignore = tuple(p for p in map(_regex, map(place, _strings(ignores))) if p is not None) \
        if isinstance(ignores, list) else JestTests().ignore
    display = config.get("displayName")
    name = display.get("name") if isinstance(display, dict) else display
    return JestTests(True, roots, match, ignore, name=name if isinstance(name, str) else None)


_REPEAT = {"?": "?", "+": "+", "*": "*", "@": ""}  # extglob `?(…)` … `@(…)` as a regex
_DEFAULT_MATCH = ("**/__tests__/**/*.[jt]s?(x)", "**/?(*.)+(spec|test).[jt]s?(x)")


def _json(text: str | None) -> dict | None:
    try:
        loaded = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _relative(value: str) -> str:
    parts = [p for p in value.split("/") if p not in ("", ".")]
    return "/".join(parts)


def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def glob_regex(glob: str) -> str:
    """A micromatch glob (`**`, `*`, `?`, `[...]`, `{a,b}`, extglobs `?(…)`, `+(…)`, `*(…)`,
    `@(…)`) as a regex over `/`-separated paths."""
    out, i = [], 0
    while i < len(glob):
        char = glob[i]
        if char in "?+*@" and glob.startswith("(", i + 1):
            end = _closing(glob, i + 1)
            body = "|".join(glob_regex(a) for a in _split(glob[i + 2:end], "|"))
            out.append(f"(?:{body}){_REPEAT[char]}")
            i = end + 1
            continue
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "{" and "}" in glob[i:]:
            end = _closing(glob, i, "{", "}")
            out.append(f"(?:{'|'.join(glob_regex(a) for a in _split(glob[i + 1:end], ','))})")
            i = end + 1
            continue
        if char == "[" and "]" in glob[i + 1:]:
            end = glob.index("]", i + 1)
            body = glob[i + 1:end]
            out.append(f"[{'^' + body[1:] if body[:1] in '!^' and body else body}]")
            i = end + 1
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
        i += 1
    return "".join(out)


def _closing(text: str, start: int, opening: str = "(", closing: str = ")") -> int:
    depth = 0
    for index in range(start, len(text)):
        depth += (text[index] == opening) - (text[index] == closing)
        if depth == 0:
            return index
    return len(text)


def _split(text: str, separator: str) -> Sequence[str]:
    parts, depth, last = [], 0, 0
    for index, char in enumerate(text):
        depth += (char in "({") - (char in ")}")
        if char == separator and depth == 0:
            parts.append(text[last:index])
            last = index + 1
    return [*parts, text[last:]]
