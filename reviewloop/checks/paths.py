"""Paths as the checks speak of them: repository-relative, and which of them are tests.

The gates, the analyzers and the coverage check all ask here, so they agree.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path, PurePosixPath

from reviewloop.git.names import shown

# The test runners' default discovery patterns: pytest (`test_*.py`, `*_test.py`), go,
# jest/vitest (`*.test.*`, `*.spec.*`), node's runner (`test.js`, `test-*.js`, `*-test.js`,
# `*_test.js`; JavaScript only: node collects no `.ts` file) and rspec (`*_spec.rb`).
_TEST_NAME = re.compile(
    r"(^|/)test_[^/]*\.py$|_test\.(py|go)$|\.(test|spec)\.[cm]?[jt]sx?$|"
    r"(^|/)(test|test-[^/]*|[^/]*[-_]test)\.[cm]?js$|_spec\.rb$")
# Django's generated `tests.py`: unittest's own `test*.py` would take `testing.py`,
# `testclient.py` or `tests_util.py`, production modules pytest never collects
_UNITTEST = re.compile(r"(^|/)tests\.py$")
_SCRIPT = re.compile(r"\.[cm]?[jt]sx?$")
# Folders whose every file is test code: a Python project's `tests/` (conftest, helpers);
# for scripts only the folders a runner collects whole (node's `test/`, jest's `__tests__/`):
# a module under `src/spec/` or `src/tests/` no runner collects is production code.
_PYTHON_FOLDER = re.compile(r"(^|/)tests?/")
_SCRIPT_FOLDER = re.compile(r"(^|/)(test|__tests__)/")
_OTHER_FOLDER = re.compile(r"(^|/)(tests?|__tests__|spec)/")


# a relative name with nothing for Path to normalise: no empty, "." or ".." name, no end "/"
_PLAIN = re.compile(r"(?!\.{1,2}(?:/|$))[^/]+(?:/(?!\.{1,2}(?:/|$))[^/]+)*")


def looks_like_test(path: str) -> bool:
    """True for a file a test runner collects (`collected_test`) or one in a folder of test
    code of any language (`tests/`, `spec/`, `__tests__/`): what may hold test code."""
    return collected_test(path) or bool(_OTHER_FOLDER.search(path))


def collected_test(path: str, python_files: Sequence[str] | None = None,
                   testpaths: Sequence[str] = ()) -> bool:
    """Whether the project's test runner takes `path` for a test file (production code is
    everything else): by the runners' default discovery patterns, or for Python by
    `python_files`, the patterns the project's pytest configuration declares (Django's
    `tests.py` applies only where none is declared), under its `testpaths` when any is
    given (the tree's files and folders they name: pytest starts collecting there, a file
    named is collected whatever its name); a Python `tests/` folder is test code (conftest,
    helpers) whatever its names."""
    if path.endswith(".py"):
        if _PYTHON_FOLDER.search(path) or path in testpaths:
            return True
        return _named_module(path, python_files, testpaths)
    folder = _SCRIPT_FOLDER if _SCRIPT.search(path) else _OTHER_FOLDER
    return bool(_TEST_NAME.search(path) or folder.search(path))


# What a runner collects by name alone, beyond `_TEST_NAME`: a Rust crate's integration tests
# (`tests/*.rs`), JUnit's `*Test.java`/`*Tests.kt` under `src/test/`, and every script in
# jest's `__tests__/` or node's `test/` folder
_COLLECTED = re.compile(r"(^|/)tests/[^/]+\.rs$|(^|/)src/test/.*Tests?\.(java|kt)$")
# Python files that are test code but never a collected test module
_NOT_MODULE = frozenset({"conftest.py", "__init__.py"})


def runner_collects(path: str, python_files: Sequence[str] | None = None,
                    testpaths: Sequence[str] = ()) -> bool:
    """Whether a runner would collect `path` as a test file by its name (`collected_test`
    without its test folders: never data, fixtures, snapshots, READMEs, a `conftest.py`,
    an `__init__.py` or a helper module under `tests/`). A test the change adds counts only
    when this holds: what a test command would have run."""
    name = path.rsplit("/", 1)[-1]
    if path.endswith(".py"):
        return name not in _NOT_MODULE and (
            path in testpaths or _named_module(path, python_files, testpaths))
    if _SCRIPT.search(path) and _SCRIPT_FOLDER.search(path):
        return True
    return bool(_TEST_NAME.search(path) or _COLLECTED.search(path))


def _named_module(path: str, python_files: Sequence[str] | None,
                  testpaths: Sequence[str]) -> bool:
    """A Python file pytest collects by its name, wherever it is (`tests/` included)."""
    if python_files is None:
        return bool(_TEST_NAME.search(path) or _UNITTEST.search(path))
    if testpaths and not any(path.startswith(f"{t}/") for t in testpaths):
        return False
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(path if "/" in p else name, p if "/" not in p
                                   else f"*{p.lstrip('/')}") for p in python_files)


def repo_path(root: Path, filename: str) -> str:
    """A tool's file name (absolute, or relative to `root`; a name that is not UTF-8 as
    `surrogateescape` decodes it) as a repo-relative posix path in text form
    (`reviewloop.git.names`)."""
    return shown(_relative(root, filename))


def _relative(root: Path, filename: str) -> str:
    prefix = f"{os.fspath(root).rstrip('/')}/"
    if filename.startswith("/") and filename.startswith(prefix) \
            and _PLAIN.fullmatch(filename, len(prefix)):
        return filename[len(prefix):]  # as the analyzer was given it: the answer below, fast
    path = Path(filename)
    if path.is_absolute():
        try:  # as the analyzer named it (under `root`): no file system call
            path = path.relative_to(root)
        except ValueError:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                return PurePosixPath(filename).as_posix()
    return PurePosixPath(path.as_posix().removeprefix("./")).as_posix()


def repo_paths(root: Path) -> Callable[[str], str]:
    """`repo_path` for one tool report: a file named by many findings is resolved once."""
    return cache(lambda filename: repo_path(root, filename))


def in_tree_file(path: Path, root: Path) -> Path | None:
    """The regular file `path` is: itself, or for a link the one it leads to when that is
    inside the tree at `root` (a file shared between folders, `locals.tf ->
    ../shared/locals.tf`); None for anything else — a link out of the tree, to a folder,
    to nothing — which is never followed."""
    try:
        if not path.is_symlink():
            return path if path.is_file() else None
    except OSError:  # a name no file system here holds (over 255 bytes a part): no file
        return None
    real = os.path.realpath(path)
    if not real.startswith(os.path.realpath(root).rstrip(os.sep) + os.sep) \
            or not os.path.isfile(real):
        return None
    return Path(real)
