"""Whether a project's tool, run on the whole tree as its users run it, skips a path: the
tool's own defaults and the exclusions of its config, as one tree (the change's base) has it.

reviewloop names the changed files to its tools, so a tool never skips one; but a file the
change renamed is compared with its base run at its old path (`review.introduced`), and that
run read `vendor/lib.py` where plain `ruff check .` (`extend-exclude = ["vendor"]`), `bandit
-r .` (`exclude_dirs`) or `eslint .` (`node_modules`) never did. Every finding of the renamed
file then met a twin at the base and was dropped, while the plain tools newly failed (fuzz
round 7, D6). A tool without an entry here skips nothing.

* ruff: as `ruff check .` walks, each folder on the way down and the file are matched
  (`ruff_includes.glob`, on the name and the absolute path) against the `exclude` (else
  ruff's defaults: `.venv`, `node_modules`, `site-packages`, …) and `extend-exclude`s of
  the config governing where the entry lies (`ruff_lookup`, read from that tree; a folder's
  own config counts inside it), each pattern from the folder of the config of the chain
  that declares it (fuzz round 9a, D4: the governing config's folder was taken for all); a
  file its `include` (else `*.py`, `*.pyi`, `*.ipynb`) and `extend-include` do not take as
  Python (`bin/deploy`, a shebang script ruff reads only when named: fuzz round 8, D7:
  `ruff_includes.takes`); a file the tree's `.gitignore` or `.ignore` files ignore, unless
  `respect-gitignore = false` (as git answers: `git.ignored`; round 8, D6);
* bandit: its default excludes (or the `.bandit` INI's `exclude`) and the `exclude_dirs` of
  its configs (`[tool.bandit]`, `bandit.yaml`, …): a pattern `fnmatch`es `./path` or is a
  part of it, as `bandit -r .` tests each file it walks (a listed folder that is there ends
  `/*` first); a file no `include` glob (`*.py`) `fnmatch`es (round 8, D7);
* checkov: `checkov -d .`'s walk (`checkov`);
* ESLint: its default ignores, any folder `node_modules/` and the root's `.git/`; what a
  flat config ignores or lints none of (`ignores`, `files`) only ESLint reads right, and the
  views ask it (`AtBase.passed_by`).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import tomllib
from collections.abc import Callable
from typing import Any, Protocol

from reviewloop.checks.analyzers.ruff_includes import DEFAULT, glob, takes
from reviewloop.checks.analyzers.ruff_lookup import Governing, Lookup
from reviewloop.config import load_yaml
from reviewloop.git.ignored import ignored


class Tree(Protocol):
    """The tree a tool would walk: its files' text and folders by repository path (None,
    False: there is none), and where it is checked out (`absolute`, a POSIX path)."""

    @property
    def absolute(self) -> str: ...

    def text(self, path: str) -> str | None: ...

    def is_folder(self, path: str) -> bool: ...


Skips = Callable[[str, Tree], str | None]

# ruff 0.17's `exclude` when a config sets none (`ruff check --show-settings`)
RUFF_DEFAULT = (".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
                ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype",
                ".ruff_cache", ".svn", ".tox", ".venv", ".vscode", "__pypackages__", "_build",
                "buck-out", "dist", "node_modules", "site-packages", "venv")
BANDIT_DEFAULT = (".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".eggs", "*.egg")
CHECKOV_DEFAULT = ("node_modules", ".terraform", ".serverless")  # CKV_IGNORED_DIRECTORIES
CHECKOV_CONFIGS = (".checkov.yaml", ".checkov.yml")
BANDIT_YAML = ("bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml")


def ruff(path: str, tree: Tree) -> str | None:
    """As `ruff check .` walks the tree: each folder on the way down and the file itself is
    passed by when the config governing where it lies (`ruff_lookup`: a folder's own config
    counts from inside it) excludes it; then a file its `include` does not take, or the
    ignore files ignore, is not linted."""
    lookup = Lookup(None, tree.text)
    parts = path.split("/")
    for end in range(1, len(parts) + 1):  # each folder from the top, then the file
        entry = "/".join(parts[:end])
        config = lookup.of(entry)
        for written, patterns in _excludes(config, tree.absolute):
            if any(glob(p).fullmatch(parts[end - 1]) or
                   glob(p).fullmatch(posixpath.join(tree.absolute, entry)) for p in patterns):
                where = f"{config.path}'s exclude" if config is not None and \
                    written not in RUFF_DEFAULT else "ruff's default exclude"
                return f"{where} {written!r}"
    return _ruff_walk(path, tree, lookup.of(path))


def _excludes(config: Governing | None, top: str) -> list[tuple[str, tuple[str, ...]]]:
    """(pattern as written, the patterns ruff matches for it) of the chain of `config`: its
    last `exclude` (else ruff's default) and every `extend-exclude`, each as written (on a
    name or an absolute path) and absolute (the tree at `top`) from the folder of the config
    that declares it (a root's `api/vendor` inherited by `api/ruff.toml` is the root's
    `api/vendor`, not `api/api/vendor`: fuzz round 9a, D4)."""
    given: list[tuple[str, tuple[str, ...]]] | None = None
    extra: list[tuple[str, tuple[str, ...]]] = []
    for at, table in config.layers if config is not None else ():
        folder = posixpath.join(top, posixpath.dirname(at))
        if isinstance(table.get("exclude"), list):
            given = _anchored(folder, table["exclude"])
        extra += _anchored(folder, table.get("extend-exclude"))
    default = [(p, (p,)) for p in RUFF_DEFAULT]
    return [*(default if given is None else given), *extra]


def _anchored(folder: str, patterns: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(p, (p, posixpath.normpath(posixpath.join(folder, p))))
            for p in (patterns if isinstance(patterns, list) else []) if isinstance(p, str)]


def _ruff_walk(path: str, tree: Tree, config: Governing | None) -> str | None:
    """Why ruff's walk passes `path` by, which no `exclude` skips: it is not Python by the
    `include` of its governing `config` (`ruff_includes.takes`), or the tree's ignore files
    ignore it."""
    layers = config.layers if config is not None else ()
    if not takes(path, layers, posixpath.join(tree.absolute, path)):
        named = [p for _, table in layers for key in ("include", "extend-include")
                 for p in (table.get(key) or []) if isinstance(p, str)]
        where = f"{config.path}'s include" if config is not None and named else \
            "ruff's default include"
        return f"{where} ({', '.join(named or DEFAULT)}), which does not take it for Python"
    table = config.table if config is not None else {}
    if table.get("respect-gitignore", True) is not False \
            and (why := ignored(path, tree.text)) is not None:
        return f"the tree's ignore files, which ruff respects ({why})"
    return None


def bandit(path: str, tree: Tree) -> str | None:
    ini = _ini_exclude(tree.text(".bandit"))
    listed = [p if not tree.is_folder(p.strip("/")) else posixpath.join(p, "*")
              for p in (ini if ini is not None else BANDIT_DEFAULT)]
    dirs = [p for table in _bandit_tables(tree)
            for p in (table.get("exclude_dirs") or []) if isinstance(p, str)]
    walked = "./" + path
    include = [p for table in _bandit_tables(tree)
               for p in (table.get("include") or []) if isinstance(p, str)] or ["*.py"]
    if not any(fnmatch.fnmatch(walked, p) for p in include):
        return f"bandit's include {', '.join(include)}, which does not take it"
    for pattern in (*listed, *dirs):
        if pattern and (fnmatch.fnmatch(walked, pattern) or pattern in walked):
            return f"bandit's exclude {pattern!r}" + (" (its default)" if ini is None and
                                                      pattern in listed else "")
    return None


def eslint(path: str, tree: Tree) -> str | None:
    if "node_modules" in path.split("/")[:-1]:
        return "ESLint's default ignore of node_modules/"
    return "ESLint's default ignore of .git/" if path.startswith(".git/") else None


def checkov(path: str, tree: Tree) -> str | None:
    """As `checkov -d .` walks: a folder or file named `node_modules`, `.terraform`,
    `.serverless` or starting with `.`, or whose absolute path a `skip-path` of the root's
    `.checkov.yaml` (or `.yml`) finds (as a regular expression, escaped when it starts with
    one dot) or holds."""
    listed = [p for name in CHECKOV_CONFIGS for p in _skip_paths(tree, name)]
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        name, full = parts[end - 1], posixpath.join(tree.absolute, *parts[:end])
        if name in CHECKOV_DEFAULT or name.startswith("."):
            return f"checkov's default skip of {name!r}"
        for pattern in listed:
            try:
                found = re.search(re.escape(pattern) if re.match(r"^\.[^.]", pattern)
                                  else pattern, full)
            except re.error:  # checkov drops a pattern that is no expression
                found = None
            if found or pattern in full:
                return f"checkov's skip-path {pattern!r}"
    return None


# by analyzer name: what its plain tool skips
SKIPS: dict[str, Skips] = {"ruff-maintainability": ruff, "ruff-performance": ruff,
                           "bandit": bandit, "checkov": checkov, "eslint-security": eslint,
                           "eslint-maintainability": eslint, "eslint-performance": eslint}


def skipped(tool: str, path: str, tree: Tree) -> str | None:
    """Why the plain tool of the analyzer named `tool` skips `path` of `tree`, or None."""
    skips = SKIPS.get(tool)
    return skips(path, tree) if skips is not None else None


def _ini_exclude(text: str | None) -> list[str] | None:
    """The `exclude` of a `.bandit` INI's `[bandit]` section, None without one."""
    if text is None:
        return None
    import configparser  # here: most reviews read no `.bandit` file (~2 ms an import)

    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
        value = parser.get("bandit", "exclude", fallback=None)
    except configparser.Error:
        return None
    return [p.strip() for p in value.split(",") if p.strip()] if value else None


def _skip_paths(tree: Tree, name: str) -> list[str]:
    """The `skip-path` patterns of the checkov config `name`."""
    data = _yaml(tree, name)
    given = data.get("skip-path") if isinstance(data, dict) else None
    given = [given] if isinstance(given, str) else given
    return [p for p in given if isinstance(p, str)] if isinstance(given, list) else []


def _bandit_tables(tree: Tree) -> list[dict[str, Any]]:
    """The bandit settings of `pyproject.toml` and of each YAML config that parse."""
    tables: list[dict[str, Any]] = []
    text = tree.text("pyproject.toml")
    try:
        tool = tomllib.loads(text).get("tool") if text is not None else None
    except tomllib.TOMLDecodeError:
        tool = None
    if isinstance(tool, dict) and isinstance(tool.get("bandit"), dict):
        tables.append(tool["bandit"])
    return tables + [data for name in BANDIT_YAML
                     if isinstance(data := _yaml(tree, name), dict)]


def _yaml(tree: Tree, name: str) -> Any:
    """The YAML file `name` of `tree`, parsed; None when there is none or it does not parse
    (a config that does not parse excludes nothing)."""
    text = tree.text(name)
    if text is None:
        return None
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        return load_yaml(text)
    except YAMLError:
        return None
