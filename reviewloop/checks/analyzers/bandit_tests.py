"""Which of bandit's `assert` findings (B101) are test code's, left out with a trace.

An `assert` is how pytest tests are written, and bandit's users keep B101 out of their tests
(`exclude_dirs: ["tests"]`, `skips: ["B101"]` for test runs, `assert_used.skips` patterns).
The review left out every B101 in a file named like a test, without a word: a production
module `src/app/test_utils.py` that the app imports lost its B101 while plain `bandit -r .`
reports it (fuzz round 6, D8).

A file is test code (`why_test_code`) when it is a `conftest.py`, lies under a `tests/` or
`test/` folder, or is a test module as plain `pytest` collects it under the trusted side's
pytest configuration (`pytest.ini`, `.pytest.ini`, `pyproject.toml`'s `[tool.pytest]` or
`[tool.pytest.ini_options]`, `tox.ini`'s `[pytest]`, `setup.cfg`'s `[tool:pytest]`, the
first found at the root, as pytest picks it): a name its `python_files` patterns match
(pytest's defaults `test_*.py`, `*_test.py` without one), under one of its `testpaths` when
it sets them. Even then, a file a production module of the tree imports (`imported`: by
`import`, `from … import`, relative or absolute, or `importlib.import_module("…")`) is
production code and keeps its B101. What is left out is counted per file with the reason,
in the analyzer's health (`AnalyzerContext.leave_out`).
"""

from __future__ import annotations

import ast
import configparser
import fnmatch
import os
import posixpath
import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text

DEFAULT_FILES = ("test_*.py", "*_test.py")  # pytest's `python_files`
_TEST_FOLDER = re.compile(r"(^|/)tests?/")
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
MAX_SCANNED = 2_000_000  # a larger Python file is not read for its imports
MAX_PARSED = 2_000_000  # bytes of files naming a candidate parsed before all count imported
# an import by a computed name (anything but one string: `import_module(f"…")`, a package
# argument, a path): the module it loads cannot be told from the text
_DYNAMIC = re.compile(rb"""(?:import_module|__import__)\(\s*(?!["'][\w.]*["']\s*\))|"""
                      rb"spec_from_file_location\(|run_path\(|run_module\(|SourceFileLoader\(")


@dataclass(frozen=True)
class PytestFiles:
    """What plain `pytest` collects as test modules."""

    patterns: tuple[str, ...] = DEFAULT_FILES
    testpaths: tuple[str, ...] = ()
    source: str = "pytest's defaults"


def pytest_files(ctx: AnalyzerContext) -> PytestFiles:
    """The trusted side's pytest settings, from the first config file pytest would take."""
    for name, read in (("pytest.ini", _ini("pytest")), (".pytest.ini", _ini("pytest")),
                       ("pyproject.toml", _pyproject), ("tox.ini", _ini("pytest", False)),
                       ("setup.cfg", _ini("tool:pytest", False))):
        text = trusted_text(ctx, name)
        settings = read(text) if text is not None else None
        if settings is not None:
            patterns = _words(settings.get("python_files")) or DEFAULT_FILES
            testpaths = tuple(p.strip("/").removeprefix("./")
                              for p in _words(settings.get("testpaths")))
            return PytestFiles(patterns, tuple(p for p in testpaths if p not in ("", ".")),
                               name)
    return PytestFiles()


def _ini(section: str, always: bool = True) -> Callable[[str], dict[str, Any] | None]:
    """A reader of an INI file's `section`; a `pytest.ini` is the config without it too."""
    def read(text: str) -> dict[str, Any] | None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            return {} if always else None
        if parser.has_section(section):
            return dict(parser.items(section))
        return {} if always else None
    return read


def _pyproject(text: str) -> dict[str, Any] | None:
    try:
        table = tomllib.loads(text).get("tool", {}).get("pytest")
    except tomllib.TOMLDecodeError:
        return None
    if not isinstance(table, dict):
        return None
    options = table.get("ini_options")
    return options if isinstance(options, dict) else table


def _words(value: Any) -> tuple[str, ...]:
    """An ini `args` value (words split by whitespace) or a TOML list, as words."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(w for v in value if isinstance(v, str) for w in v.split())
    return ()


def why_test_code(path: str, pytest: PytestFiles) -> str | None:
    """Why the repository file `path` is test code, or None for production code."""
    name = posixpath.basename(path)
    if name == "conftest.py":
        return "pytest's conftest.py"
    if _TEST_FOLDER.search(path):
        return "under a tests/ folder"
    if any(fnmatch.fnmatchcase(name if "/" not in p else path, p) for p in pytest.patterns) \
            and (not pytest.testpaths
                 or any(path.startswith(f"{t}/") for t in pytest.testpaths)):
        where = f" under testpaths {' '.join(pytest.testpaths)}" if pytest.testpaths else ""
        return (f"a test module by the python_files of {pytest.source} "
                f"({' '.join(pytest.patterns)}){where}")
    return None


def imported(root: Path, candidates: Collection[str],
             is_test: Callable[[str], bool]) -> set[str]:
    """Of the repository paths `candidates`, those a Python file of the tree at `root`
    that is not test code (`is_test`) imports. Where it cannot tell, a candidate counts as
    imported (its B101 is kept): a file naming it that does not parse, or that imports by a
    name it computes (`import_module(f"…")`), and every candidate once the files naming them
    exceed `MAX_PARSED` bytes (a common name: `tests/utils.py`)."""
    modules = {path: _module(path) for path in candidates}
    stems = {parts[-1] for parts in modules.values() if parts}
    if not stems:
        return set()
    # a file's bytes searched for a stem first (no decoding: most files hold none)
    word = re.compile(b"|".join(re.escape(stem.encode()) for stem in sorted(stems)))
    found: set[str] = set()
    importable = _import_root(root)
    parsed = 0
    for path in _python_files(root):
        if path in modules or is_test(path):
            continue
        try:
            with (root / path).open("rb") as file:
                data = file.read(MAX_SCANNED + 1)
        except OSError:
            continue
        if len(data) > MAX_SCANNED or not word.search(data):
            continue
        parsed += len(data)
        named = {c for c, parts in modules.items() if parts and parts[-1].encode() in data}
        names = None if parsed > MAX_PARSED or _DYNAMIC.search(data) else \
            _imports(data.decode("utf-8", errors="replace"), path)
        if names is None:  # not told: every candidate it names counts as imported
            found |= named
        for name in names or ():
            found.update(c for c, parts in modules.items()
                         if name and parts[-len(name):] == name
                         and importable(parts[:-len(name)]))
        if len(found) == len(modules):
            break
    return found


def _import_root(root: Path) -> Callable[[tuple[str, ...]], bool]:
    """Whether a module under a folder of `root` can be imported from there: a folder
    Python looks in (`src`, the root) is no package itself; `tests/tests.py` is
    `tests.tests`, never a top-level `tests` (each folder asked once)."""
    return cache(lambda folder: not folder
                 or not root.joinpath(*folder, "__init__.py").is_file())


def _module(path: str) -> tuple[str, ...]:
    parts = tuple(path.removesuffix(".py").split("/"))
    return parts[:-1] if parts[-1] == "__init__" else parts


def _python_files(root: Path) -> list[str]:
    """The tree's regular `.py` files (no links), outside hidden and vendored folders; each
    folder listed once (`scandir`: no file asked again for its kind)."""
    found: list[str] = []
    folders = [("", os.fspath(root))]
    while folders:
        relative, full = folders.pop()
        try:
            with os.scandir(full) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in _SKIPPED:
                    folders.append((f"{relative}{entry.name}/", entry.path))
            elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                found.append(f"{relative}{entry.name}")
    return found


def _imports(text: str, path: str) -> list[tuple[str, ...]] | None:
    """The modules the file `path` (its `text`) imports, as dotted parts; a relative import
    from its folder's package (parts from the root); None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # not told (a newer Python's syntax, nesting too deep to parse)
    package = tuple(path.split("/")[:-1])
    found: list[tuple[str, ...]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [tuple(a.name.split(".")) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else ()
            module = (*base, *(node.module or "").split(".")) if node.module else base
            found += [module, *((*module, a.name) for a in node.names)]
        elif isinstance(node, ast.Call) and node.args \
                and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and _called(node) \
                in ("import_module", "__import__"):
            found.append(tuple(node.args[0].value.lstrip(".").split(".")))
    return found


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else \
        func.id if isinstance(func, ast.Name) else None
