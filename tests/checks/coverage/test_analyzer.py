"""New-code coverage: the pure function finder, and the real check on a real pytest project."""

from __future__ import annotations

import textwrap

import pytest

from reviewloop.checks.coverage.check import coverage_gate_result, new_code_coverage
from reviewloop.checks.coverage.collectors import PythonCoverage
from reviewloop.checks.coverage.newcode import FunctionSpan, new_public_functions, untested
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.findings.schema import Severity
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

TESTS = ProjectTests()  # detected from the project, sandboxed


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SOURCE = src('''
    import functools
    from typing import Protocol, overload


    def plain(x):
        return x


    @functools.cache
    def decorated(x):
        """Docs."""
        return x * 2


    def _private(x):
        return x


    class Shape:
        def area(self):
            def helper():
                return 1
            return helper()

        def _hidden(self):
            return 0

        class Inner:
            async def run(self):
                return None


    class _Secret:
        def exposed(self):
            return 1


    class Greeter(Protocol):
        def greet(self) -> str: ...


    @overload
    def conv(x: int) -> int: ...
    @overload
    def conv(x: str) -> str: ...
    def conv(x):
        return x
''')
ALL_LINES = range(1, SOURCE.count("\n") + 2)


def names(spans):
    return [s.qualname for s in spans]


def test_public_functions_and_methods_of_public_classes_are_found():
    spans = new_public_functions("m.py", SOURCE, ALL_LINES)

    assert names(spans) == ["plain", "decorated", "Shape.area", "Shape.Inner.run", "conv"]


def test_a_function_counts_when_a_changed_line_is_inside_it_decorators_included():
    decorated = new_public_functions("m.py", SOURCE, ALL_LINES)[1]
    assert (decorated.start, decorated.body_start, decorated.end) == (9, 12, 12)

    assert names(new_public_functions("m.py", SOURCE, [9])) == ["decorated"]  # the decorator
    assert names(new_public_functions("m.py", SOURCE, [22])) == ["Shape.area"]  # nested helper
    assert names(new_public_functions("m.py", SOURCE, [3, 8, 15])) == []  # between functions


def test_a_file_that_does_not_parse_has_no_functions():
    assert new_public_functions("m.py", "def broken(:\n", [1]) == []


def test_untested_means_no_body_line_ran_the_def_line_does_not_count():
    span = FunctionSpan(path="m.py", name="f", qualname="f", start=1, end=4, body_start=3)

    assert untested([span], {"m.py": {1, 2}}) == [span]  # def and docstring lines only
    assert untested([span], {"m.py": {1, 4}}) == []
    assert untested([span], {}) == [span]


BASE = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "calc/__init__.py": "",
    "calc/core.py": "def old(x):\n    return x\n",
    "tests/test_core.py": "from calc.core import old\n\n\ndef test_old():\n"
                          "    assert old(1) == 1\n",
}
NEW_CORE = src('''
    def old(x):
        return x


    def doubled(x):
        """Doubles."""
        return x * 2


    def untested_function(x):
        """Triples."""
        return x * 3


    def _private_helper(x):
        return x - 1


    class Shape:
        def __init__(self, side):
            self.side = side

        def area(self):
            return self.side ** 2

        def perimeter(self):
            return 4 * self.side
''')
NEW_TEST = BASE["tests/test_core.py"].replace("import old", "import Shape, doubled, old") + src('''


    def test_doubled():
        assert doubled(2) == 4


    def test_area():
        assert Shape(3).area() == 9
''')


@pytest.fixture
def project(tmp_path):
    repo = Repo(tmp_path, BASE)
    diff = repo.change({"calc/core.py": NEW_CORE, "tests/test_core.py": NEW_TEST})
    return repo, diff


def test_exactly_the_untested_public_function_and_method_are_reported(project):
    repo, diff = project

    report = run_for_agent(agent("review-test-quality", ("coverage",)), repo.root, diff,
                           tests=TESTS)

    assert report.complete, report.errors
    assert [(f.title, f.file, f.start_line, f.end_line) for f in report.findings] == [
        ("Public function untested_function is not executed by any test", "calc/core.py", 10, 12),
        ("Public method Shape.perimeter is not executed by any test", "calc/core.py", 26, 27),
    ]
    first = report.findings[0]
    assert (first.severity, first.source, first.rule, first.agent) == (
        Severity.SHOULD_FIX, "coverage", "untested-public-function", "review-test-quality")
    # the project's own command, as detected, not a rewritten one
    assert "during the test suite (`python -m pytest`)" in first.rationale


def test_the_check_lists_every_new_function_and_the_command_it_ran(project):
    repo, diff = project

    check = new_code_coverage(repo.root, parse_diff(diff), TESTS)

    assert names(check.functions) == ["doubled", "untested_function", "Shape.area",
                                      "Shape.perimeter"]
    assert names(check.untested) == ["untested_function", "Shape.perimeter"]
    assert check.checked and not check.tests_failed and check.notes == ()


def test_functions_outside_the_change_are_not_reported(tmp_path):
    repo = Repo(tmp_path, {**BASE, "calc/core.py": NEW_CORE})  # untested code already there
    diff = repo.change({"calc/core.py": NEW_CORE.replace("return x * 2", "return x + x")})

    check = new_code_coverage(repo.root, parse_diff(diff), TESTS)

    assert names(check.functions) == names(check.untested) == ["doubled"]


def test_failing_tests_lower_the_confidence_and_say_why(tmp_path):
    repo = Repo(tmp_path, BASE)
    failing = NEW_TEST + "\n\ndef test_broken():\n    assert False\n"
    diff = repo.change({"calc/core.py": NEW_CORE, "tests/test_core.py": failing})

    findings = run_for_agent(agent("t", ("coverage",)), repo.root, diff, tests=TESTS).findings

    assert len(findings) == 2
    assert all(f.confidence == 0.6 and "Some tests failed" in f.rationale for f in findings)


def test_a_project_without_pytest_is_not_checked(tmp_path):
    repo = Repo(tmp_path, {"calc/core.py": "def old(x):\n    return x\n"})
    diff = repo.change({"calc/core.py": NEW_CORE})

    check = new_code_coverage(repo.root, parse_diff(diff), TESTS)

    assert not check.checked and check.untested == ()
    assert check.notes == (("python: 4 function(s) not checked (calc/core.py: doubled, "
                            "untested_function, Shape.area, Shape.perimeter): not a pytest "
                            "project (no tests folder or pytest configuration)"),)
    assert PythonCoverage().unavailable(repo.root, "npm test") == \
        "the test command is not pytest: npm test"


def test_a_configured_pytest_command_is_used_with_its_arguments(project):
    repo, diff = project
    repo.write({"tests/test_other.py": "from calc.core import untested_function\n\n\n"
                                       "def test_it():\n    assert untested_function(1) == 3\n"})

    narrow = new_code_coverage(repo.root, parse_diff(diff),
                               ProjectTests(command="python -m pytest tests/test_core.py"))
    everything = new_code_coverage(repo.root, parse_diff(diff),
        ProjectTests(command="pytest tests"))

    assert names(narrow.untested) == ["untested_function", "Shape.perimeter"]
    assert names(everything.untested) == ["Shape.perimeter"]


def test_gate_fails_and_blocks_only_when_strict(project):
    repo, diff = project

    strict = coverage_gate_result(repo.root, diff, TESTS, strict=True)
    advisory = coverage_gate_result(repo.root, diff, TESTS, strict=False)

    assert (strict.name, strict.passed, strict.blocking) == ("coverage", False, True)
    assert (advisory.passed, advisory.blocking) == (False, False)
    assert strict.summary == ("2 of 4 new or changed public functions are not executed by any "
                              "test: untested_function, Shape.perimeter")
    assert "calc/core.py:10 untested_function" in strict.output_tail
    assert [f.rule for f in strict.findings] == ["untested-public-function"] * 2


def test_gate_passes_when_every_new_function_ran_and_skips_without_new_functions(tmp_path):
    repo = Repo(tmp_path / "covered", BASE)
    covered = coverage_gate_result(
        repo.root, repo.change({"calc/core.py": "def old(x):\n    return x + 0\n"}), TESTS,
        strict=True)
    repo = Repo(tmp_path / "docs", BASE)
    nothing = coverage_gate_result(repo.root, repo.change({"README.md": "more\n"}), TESTS,
                                   strict=True)

    assert covered.passed and not covered.skipped
    assert covered.summary == "every new or changed public function (1) is executed by a test"
    assert nothing.skipped and nothing.summary == "skipped: no public function added or changed"


def test_gate_reports_a_test_run_that_cannot_start(project):
    repo, diff = project

    result = coverage_gate_result(
        repo.root, diff, ProjectTests(command="python -m pytest --no-such-option"), strict=True)

    assert not result.passed and result.blocking
    assert result.summary.startswith("the coverage run failed: `")
    assert "exited with 4" in result.summary


def test_without_leave_to_run_the_tests_nothing_runs_and_the_report_says_so(project):
    repo, diff = project
    marker = repo.root / "ran"
    repo.write({"tests/conftest.py": f"open({str(marker)!r}, 'w').close()\n"})

    report = run_for_agent(agent("review-test-quality", ("coverage",)), repo.root, diff)

    assert not marker.exists()
    # not run by choice: shown with the reason and how to turn it on, not a failure
    assert report.findings == [] and report.complete and report.errors == []
    (health,) = report.health
    assert (health.status, health.reason) == (
        "skipped", "the project's tests were not run, so new-code coverage was not checked "
        "(`reviewloop review --tests` or `[review] run_tests = true` runs them, sandboxed)")


def test_the_coverage_run_is_sandboxed(project, tmp_path_factory):
    repo, diff = project
    outside = tmp_path_factory.mktemp("outside") / "escaped"
    repo.write({"tests/conftest.py": f"open({str(outside)!r}, 'w').close()\n"})

    result = coverage_gate_result(repo.root, diff, TESTS, strict=True)

    assert not outside.exists()
    assert "Read-only file system" in result.output_tail or "No such file" in result.output_tail


# Projects whose tests reviewloop finds no command for (rev11 js D12): Django/unittest
# `tests.py`, a package.json only in a subfolder.
UNDETECTED = {
    "unittest": {"app/__init__.py": "", "app/lib.py": "def called(x):\n    return x\n"
                 "\n\ndef uncalled(x):\n    return x\n",
                 "app/tests.py": "import unittest\n\nfrom app.lib import called\n\n\n"
                 "class T(unittest.TestCase):\n    def test_called(self):\n"
                 "        self.assertEqual(called(1), 1)\n"},
    "node-subfolder": {"packages/a/package.json": '{"scripts": {"test": "node --test"}}',
                       "packages/a/src/lib.mjs": "export function called(x) {\n  return x;\n}"
                       "\n\nexport function uncalled(x) {\n  return x;\n}\n",
                       "packages/a/test/lib.test.mjs": "import { called } from "
                       "\"../src/lib.mjs\";\nimport { test } from \"node:test\";\n"
                       "test(\"c\", () => called(1));\n"},
}


# pytest with no config and its tests beside the code: a `test_*.py` anywhere in the tree now
# finds `python -m pytest` (r17 guard-rails D8), so the new functions are measured.
COLOCATED = {"app/__init__.py": "", "app/lib.py": "def called(x):\n    return x\n"
             "\n\ndef uncalled(x):\n    return x\n",
             "app/test_lib.py": "from app.lib import called\n\n\n"
             "def test_called():\n    assert called(1) == 1\n"}


def test_new_functions_beside_their_pytest_tests_are_measured(tmp_path):
    repo = Repo(tmp_path)
    diff = repo.change(COLOCATED)

    report = run_for_agent(agent("t", ("coverage",)), repo.root, diff, tests=TESTS)

    (health,) = report.health
    assert health.status == "ok", health
    assert [(f.file, f.start_line) for f in report.findings] == [("app/lib.py", 5)]
    assert report.findings[0].location_hash == "symbol:uncalled"


@pytest.mark.parametrize("layout", sorted(UNDETECTED))
def test_new_functions_no_test_command_measures_are_named_not_called_ok(tmp_path, layout):
    repo = Repo(tmp_path)
    diff = repo.change(UNDETECTED[layout])

    report = run_for_agent(agent("t", ("coverage",)), repo.root, diff, tests=TESTS)

    (health,) = report.health
    lib = next(p for p in UNDETECTED[layout] if "/lib." in p)
    assert report.findings == [] and health.status == "skipped", health
    assert f"{lib}: called, uncalled" in (health.reason or ""), health.reason
