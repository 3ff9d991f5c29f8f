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
it sets them. Even then, a file production code of the tree loads, or may load as far as
the check can tell (`bandit_loads`), is production code and keeps its B101. What is left
out is counted per file with the reason, in the analyzer's health (`AnalyzerContext.leave_out`).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text

DEFAULT_FILES = ("test_*.py", "*_test.py")  # pytest's `python_files`
_TEST_FOLDER = re.compile(r"(^|/)tests?/")


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
        import configparser  # here: most reviews read no INI file (~2 ms an import)

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
