"""`checks.paths.collected_test` against the runners themselves: over a fixed product of file
names and folders, a file is a test exactly when plain `node --test`, `pytest --collect-only`
(its defaults, or the `python_files` a project declares) or `python -m unittest discover`
collects it — or, for scripts, when jest's documented default `testMatch` matches it (jest is
not run here) — and a Python `tests/` folder is test code whatever its names."""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.bandit_tests import PytestFiles
from reviewloop.checks.analyzers.test_files import collection_starts
from reviewloop.checks.paths import collected_test, looks_like_test

NAMES = ("lib", "test", "test-lib", "lib-test", "lib_test", "lib.test", "lib.spec", "test_lib",
         "tests", "testlib", "testing", "contest", "latest", "libtest", "check_lib")
FOLDERS = ("", "src/", "test/", "tests/", "spec/", "src/spec/", "src/tests/", "__tests__/",
           "src/test/")
# jest's default testMatch: `**/__tests__/**/*.[jt]s?(x)`, `**/?(*.)+(spec|test).[jt]s?(x)`
JEST = re.compile(r"(^|/)__tests__/.*\.[jt]sx?$|(^|/|\.)(spec|test)\.[jt]sx?$")
# vitest's default include: `**/*.{test,spec}.?(c|m)[jt]s?(x)`
VITEST = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")


def _node_collected(root: Path, paths: list[str]) -> set[str]:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(
            f'const {{ test }} = require("node:test");\ntest("{path}", () => {{}});\n')
    out = subprocess.run(["node", "--test", "--test-reporter=tap"], cwd=root,
                         capture_output=True, text=True).stdout
    return set(re.findall(r"^\s*ok \d+ - (\S+)$", out, re.M)) & set(paths)


def test_script_tests_are_the_files_node_or_jest_collect_by_default(tmp_path):
    paths = [f"{folder}{name}.js" for folder, name in product(FOLDERS, NAMES)]
    collected = _node_collected(tmp_path, paths)

    assert "test/lib.js" in collected and "lib-test.js" in collected  # the oracle ran
    assert {p for p in paths if collected_test(p)} == \
        {p for p in paths if p in collected or JEST.search(p) or VITEST.search(p)}


UNITTEST_CASE = ("import unittest\n\n\nclass T(unittest.TestCase):\n"
                 "    def test_x(self):\n        pass\n")


def _python_tree(root: Path) -> list[str]:
    """Each module in a package of its own (`c<n>/`), so no two names clash on import."""
    paths = []
    for number, (folder, name) in enumerate(product(FOLDERS, NAMES)):
        if "." in name or "-" in name:
            continue  # not an importable module name
        path = f"c{number}/{folder}{name}.py"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        for package in (f"c{number}", *(f"c{number}/{folder}"[:i] for i, char in
                                        enumerate(f"c{number}/{folder}") if char == "/")):
            (root / package / "__init__.py").write_text("")
        (root / path).write_text(UNITTEST_CASE)
        paths.append(path)
    return paths


def _pytest_collected(root: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider", "--import-mode=importlib", "."],
                         cwd=root, capture_output=True, text=True).stdout
    return {line.split("::", 1)[0] for line in out.splitlines() if "::" in line}


def _unittest_collected(root: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-m", "unittest", "discover", "-v"], cwd=root,
                         capture_output=True, text=True).stderr
    modules = re.findall(r"^test_x \(([\w.]+)\.T", out, re.M)
    return {m.replace(".", "/") + ".py" for m in modules}


@pytest.mark.parametrize("declared", [None, ("check_*.py",), ("test_*.py", "tests.py")])
def test_python_tests_are_the_modules_pytest_or_unittest_collect(tmp_path, declared):
    paths = _python_tree(tmp_path)
    if declared is not None:
        (tmp_path / "pytest.ini").write_text(f"[pytest]\npython_files = {' '.join(declared)}\n")
    collected = _pytest_collected(tmp_path)
    if declared is None:  # no pytest configuration: Django's `tests.py` too, which unittest
        # collects; not the rest of unittest's `test*.py` (`testing.py`, `testlib.py` are
        # production modules as often as not, and pytest never collects them)
        collected |= {p for p in _unittest_collected(tmp_path) if p.endswith("/tests.py")}
    folder = re.compile(r"(^|/)tests?/")

    assert collected  # the oracle ran
    assert {p for p in paths if collected_test(p, declared)} == \
        {p for p in paths if p in collected or folder.search(p)}


@pytest.mark.parametrize(("folder", "name"), list(product(FOLDERS, NAMES)))
def test_what_a_runner_collects_may_hold_test_code(folder, name):
    """`looks_like_test` (test globals, which tests to re-run) takes in every collected file."""
    for suffix in (".mjs", ".py"):
        path = f"{folder}{name}{suffix}"
        assert looks_like_test(path) or not collected_test(path)


PYTEST_FOLDERS = ("", "app/", "tests/", "tests/unit/", "t2/", "src/check/")
PYTEST_NAMES = ("lib", "test_lib", "check_lib", "testing", "lib_test")
TESTPATHS = ((), ("tests",), ("tests/unit",), ("t*",), ("app/check_lib.py",), ("nope",),
             ("src", "app/lib.py"), ("**/check",))


@pytest.mark.parametrize("declared", [("test_*.py", "*_test.py"), ("*.py",), ("check_*.py",),
                                      ("test*.py",)])
def test_python_tests_start_at_the_testpaths_pytest_collects_from(tmp_path, declared):
    """Plain `pytest` at the root with no arguments collects from its `testpaths` only (a
    file named there whatever its name; the whole tree when they name nothing): a module
    `python_files` matches outside them is production code (rev11c D9)."""
    paths = [f"{folder}{name}.py" for folder, name in product(PYTEST_FOLDERS, PYTEST_NAMES)]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(UNITTEST_CASE)
    folder = re.compile(r"(^|/)tests?/")
    for testpaths in TESTPATHS:
        (tmp_path / "pytest.ini").write_text(
            f"[pytest]\npython_files = {' '.join(declared)}\ntestpaths = {' '.join(testpaths)}\n")
        out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                              "-p", "no:cacheprovider", "--import-mode=importlib"],
                             cwd=tmp_path, capture_output=True, text=True).stdout
        collected = {line.split("::", 1)[0] for line in out.splitlines() if "::" in line}
        settings = PytestFiles(declared, testpaths, "pytest.ini")
        starts = collection_starts(tmp_path, settings)

        assert collected, (testpaths, out)  # the oracle ran
        assert {p for p in paths if collected_test(p, declared, starts)} == \
            {p for p in paths if p in collected or folder.search(p)}, testpaths
