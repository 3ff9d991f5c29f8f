"""`review --tests` counts failing tests: a change that breaks a passing test is a must-fix
finding naming the test, read from pytest's own JUnit report; a test that already failed on
the base is a should-fix saying so. Real git, real pytest in the sandbox, the CLI."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

CORE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
TESTS = ("from calc.core import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
         "def test_sub():\n    assert sub(3, 1) == 2\n\n\n"
         "class TestBroken:\n    def test_always(self):\n        assert False, 'broken before'\n")


# The suite's own interpreter, named: a bare `python` is whichever comes first on PATH, and
# where that was not this one (PATH holding pyenv's shims before the venv, as it does from
# some checkouts and shells) it had no coverage.py, the coverage analyzer failed and a change
# that breaks nothing read as an incomplete review (exit 1)
PYTEST = f"{shlex.quote(sys.executable)} -m pytest -q tests"


def _project(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {
        "calc/__init__.py": "", "calc/core.py": CORE, "tests/test_core.py": TESTS,
        ".reviewloop.toml": f"[gates]\ntest = [{json.dumps(PYTEST)}]\n"})


def _failing(report: dict) -> dict[str, dict]:
    return {f["title"]: f for group in ("remaining", "nits") for f in report["findings"][group]
            if f["source"] == "failing-tests"}


def test_a_change_that_breaks_a_passing_test_fails_the_review_naming_the_test(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "calc" / "core.py").write_text(CORE.replace("return a + b", "return a + b + 1"))
    done = review(root, "--tests", "--json", "--fail-on", "must_fix")
    assert done.returncode == 1, done.stderr
    failing = _failing(json.loads(done.stdout))
    assert failing["test fails: tests/test_core.py::test_add"]["severity"] == "must_fix"
    before = failing["test fails: tests/test_core.py::TestBroken::test_always"]
    assert before["severity"] == "should_fix"  # failed on the base too: said, not blamed
    assert "fails on the base too" in before["rationale"]
    assert "test fails: tests/test_core.py::test_sub" not in failing
    assert failing["test fails: tests/test_core.py::test_add"]["file"] == "calc/core.py"


def test_a_change_that_breaks_nothing_has_only_the_old_failure(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "calc" / "core.py").write_text(CORE + "\n\ndef mul(a, b):\n    return a * b\n")
    done = review(root, "--tests", "--json", "--fail-on", "must_fix")
    report = json.loads(done.stdout)
    failing = _failing(report)
    assert [f["severity"] for f in failing.values()] == ["should_fix"]
    rows = {row["name"]: row for row in report["health"]["analyzers"]}
    assert (rows["coverage"]["status"], rows["failing-tests"]["status"]) == ("ok", "ok"), rows
    assert report["health"]["complete"] and done.returncode == 0, report["verdict"]


def test_the_base_is_the_commit_the_change_is_reviewed_against(tmp_path: Path) -> None:
    """`review --base main` on a branch whose commit broke the test: HEAD has the break, so
    the test must be run again on main, where it passes."""
    root = _project(tmp_path)
    git(root, "checkout", "-qb", "feature")
    (root / "calc" / "core.py").write_text(CORE.replace("return a - b", "return b - a"))
    git(root, "commit", "-qam", "break sub")
    done = review(root, "--base", "main", "--tests", "--json", "--fail-on", "must_fix")
    assert done.returncode == 1, done.stdout
    assert _failing(json.loads(done.stdout))["test fails: tests/test_core.py::test_sub"][
        "severity"] == "must_fix"


def test_a_change_that_only_deletes_a_module_still_runs_the_tests(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_core.py").write_text(TESTS.split("class TestBroken")[0])
    git(root, "commit", "-qam", "no broken test")
    (root / "calc" / "core.py").unlink()
    done = review(root, "--tests", "--json", "--fail-on", "must_fix")
    assert done.returncode == 1, done.stdout
    failing = _failing(json.loads(done.stdout))
    assert failing and all(f["severity"] == "must_fix" for f in failing.values())


UNITTEST = ("import unittest\n\nfrom mod import base\n\n\nclass T(unittest.TestCase):\n"
            "    def test_b(self):\n        self.assertEqual(base(), 1)\n")


def test_a_test_command_no_collector_measures_runs_too(tmp_path: Path) -> None:
    """unittest (go, cargo, make alike): the configured command runs as it is; its red exit
    is a finding with its output, a green one none (docs/commands.md, `review --tests`)."""
    root = init_repo(tmp_path / "repo", {
        "mod.py": "def base():\n    return 1\n", "test_mod.py": UNITTEST,
        ".reviewloop.toml": '[gates]\nbuild = []\ntest = ["python -m unittest -q"]\n'})
    (root / "test_mod.py").write_text(UNITTEST + "\n    def test_fail(self):\n"
                                      "        self.fail('boom')\n")
    done = review(root, "--tests", "--json", "--fail-on", "must_fix")
    assert done.returncode == 1, done.stderr
    failing = _failing(json.loads(done.stdout))
    found = failing["the test run failed"]
    assert (found["severity"], found["file"]) == ("must_fix", "test_mod.py")
    assert found["rationale"].startswith("`python -m unittest -q` failed (exit 1) and wrote no "
                                         "JUnit report naming the failing tests:")
    assert "AssertionError: boom" in found["rationale"]
    (root / "test_mod.py").write_text(UNITTEST + "\n    def test_more(self):\n"
                                      "        self.assertTrue(base())\n")
    done = review(root, "--tests", "--json", "--fail-on", "must_fix")
    assert done.returncode == 0, done.stdout
    assert _failing(json.loads(done.stdout)) == {}
