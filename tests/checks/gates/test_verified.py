"""The test gate on a run that shows no test ran (`checks.gates.verified`): zero tests is a
failure for a change touching tests, a count-less run not verified for one adding a test,
the project's pytest `python_files` name test files; tests no command runs (none configured
or detected) named, not verified, the gate passing with the fix for their language, while a
test folder's data, fixtures and helpers are no tests; and a missing tool is named (exit 127)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates import GateContext
from reviewloop.checks.gates.base import NOT_RUN, GateReport, GateResult
from reviewloop.checks.gates.test import TestGate
from reviewloop.checks.gates.verified import ran_tests
from reviewloop.config import Gates, Settings
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"

# what each runner prints when it ran no test, exiting 0
NONE_RAN = st.sampled_from([
    "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n",  # cargo
    "?   \texample.com/m\t[no test files]\n?   \texample.com/m/sub\t[no test files]\n",  # go
    "No tests found, exiting with code 0\n",  # jest --passWithNoTests
    "No test files found, exiting with code 0\n",  # vitest --passWithNoTests
    "\n----------------------------------------------------------------------\n"
    "Ran 0 tests in 0.000s\n\nOK\n",  # unittest on 3.11
    "\n------------------------------------------------------------------\n"
    "Ran 0 tests in 0.000s\n\nNO TESTS RAN\n",  # unittest on 3.12
    "# tests 0\n# suites 0\n# pass 0\n# fail 0\n",  # node --test, TAP
    "\n Test Files  no tests\n      Tests  no tests\n",  # vitest
])
RAN = st.builds(lambda n, runner: runner.format(n=n), st.integers(1, 500), st.sampled_from([
    "test result: ok. {n} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n",
    "==== {n} passed in 0.12s ====\n",
    "Tests:       {n} passed, {n} total\n",
    "# pass {n}\n# fail 0\n",
    "Ran {n} tests in 0.010s\n\nOK\n",
]))
NOISE = st.text(st.characters(codec="ascii", exclude_characters="0123456789?#"), max_size=60)


@given(NONE_RAN, NOISE)
def test_each_runners_zero_tests_is_read_as_none_ran(output: str, noise: str) -> None:
    assert ran_tests(f"{noise}\n{output}") is False


@given(RAN, NOISE)
def test_a_count_above_zero_is_a_run(output: str, noise: str) -> None:
    assert ran_tests(f"{noise}\n{output}") is True


@given(NOISE)
def test_output_with_no_summary_says_nothing(noise: str) -> None:
    assert ran_tests(noise.replace("no test", "")) is None


def gate(root: Path, command: str, changed: tuple[str, ...]) -> tuple[bool, str]:
    """The test gate on the working tree's change against HEAD, as the loop builds it."""
    result = gate_result(root, Gates(test=(command,)), changed)
    return result.passed, result.summary


def gate_result(root: Path, gates: Gates, changed: tuple[str, ...]) -> GateResult:
    git(root, "add", "-A")
    diff = git(root, "diff", "--cached", "HEAD")
    repo = open_repository(root)
    ctx = GateContext(root=root, settings=Settings(gates=gates),
                      changed_files=changed, diff_text=diff, branch=repo.current_branch(),
                      default_branch=repo.default_branch(), phase="implement")
    return TestGate().run(ctx)


FEATURE = {"feature.py": "VALUE = 4\n",
           "test_feature.py": "from feature import VALUE\n\n\ndef test_value():\n"
                              "    assert VALUE == 5\n"}


@settings(max_examples=10, deadline=None)
@given(NONE_RAN)
def test_a_zero_test_run_fails_a_change_touching_tests(tmp_path_factory, output) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "repo",
                     {"mod.py": "X = 1\n", "runner.out": output}, branch="work")
    write_files(root, FEATURE)
    command = "cat runner.out"  # what the runner printed, as it printed it
    passed, summary = gate(root, command, ("feature.py", "test_feature.py"))
    assert not passed
    assert summary.endswith(f"`{command}` ran no tests although the change touches "
                            "test_feature.py: its tests were not picked up; fix: make the "
                            "test command collect them")
    assert gate(root, command, ("feature.py",))[0]  # no test in the change: nothing to run


@given(st.text(st.sampled_from(".FEsxX"), max_size=80), st.sampled_from(".F"),
       st.integers(0, 100))
def test_pytests_progress_lines_without_a_summary_are_a_run(marks: str, ran: str,
                                                            percent: int) -> None:
    # pytest at -qq (the command's -q and the project's addopts) prints no summary line
    assert ran_tests(f"{marks}{ran}{marks}  [{percent:3d}%]\n") is True


def test_a_new_test_run_by_pytest_at_double_quiet_verifies_it(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo", {"mod.py": "X = 1\n",
                                         "pyproject.toml": "[tool.pytest.ini_options]\n"
                                                           "addopts = \"-q\"\n",
                                         "test_mod.py": "def test_x():\n    pass\n"},
                     branch="work")
    write_files(root, {"feature.py": "VALUE = 5\n",
                       "test_feature.py": FEATURE["test_feature.py"]})
    command = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"
    passed, summary = gate(root, command, ("feature.py", "test_feature.py"))
    assert passed, summary


def test_a_count_less_run_does_not_verify_a_new_test(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo", {"mod.py": "X = 1\n",
                                         "test_mod.py": "def test_x():\n    pass\n"},
                     branch="work")
    write_files(root, FEATURE)
    passed, summary = gate(root, "echo no tests", ("feature.py", "test_feature.py"))
    assert not passed
    assert summary == ("not verified: `echo no tests` reported no test count, so nothing "
                       "shows that the new test test_feature.py ran; fix: set `[gates] test` "
                       "to the test runner itself (`python -m pytest`, `go test ./...`) or "
                       "make the command print its summary")
    git(root, "commit", "-qm", "feature")
    write_files(root, {"test_mod.py": "def test_x():\n    assert True\n"})
    # an edited test, not a new one: a quiet command's exit 0 still passes
    assert gate(root, "true", ("test_mod.py",)) == (
        True, "passed (no test count reported): `true`")


def test_the_projects_python_files_name_the_tests_pytest_did_not_collect(tmp_path) -> None:
    config = ('[tool.pytest.ini_options]\npython_files = ["check_*.py", "*_checks.py", '
              '"it_*.py", "test_*.py"]\n')
    root = init_repo(tmp_path / "repo", {"pyproject.toml": config, "mod.py": "X = 1\n",
                                         "emptytests/README": "none\n"}, branch="work")
    write_files(root, {"feature.py": "VALUE = 4\n",
                       "qa/check_feature.py": FEATURE["test_feature.py"]})
    command = f"{PYTEST} emptytests"
    passed, summary = gate(root, command, ("feature.py", "qa/check_feature.py"))
    assert not passed
    assert summary == (f"0 failed, 0 passed; `{command}` collected no tests although the "
                       "change touches qa/check_feature.py")


def test_a_missing_tool_is_named_with_the_fix(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo", {"mod.py": "X = 1\n"}, branch="work")
    write_files(root, {"mod.py": "X = 2\n"})
    passed, summary = gate(root, "no-such-tool-here test ./...", ("mod.py",))
    assert not passed
    assert summary == ("`no-such-tool-here test ./...` exited with 127, command not found: "
                       "`no-such-tool-here` (install it, or set `[gates]` build/test in "
                       ".reviewloop.toml to a command that exists here)")


# test files of runners no command was found for: node's, jest's and vitest's names in a
# package with no test script, go's with no go.mod, cargo's with no Cargo.toml, rspec's
TEST_NAMES = st.sampled_from([
    "src/{n}.test.ts", "src/{n}.spec.tsx", "lib/{n}.test.mjs", "__tests__/{n}.js",
    "test/{n}.js", "test-{n}.js", "{n}_test.go", "spec/{n}_spec.rb", "tests/{n}_it.rs"])
# files in test folders no runner collects: data, fixtures, docs, specs, snapshots, helpers
NOT_TESTS = st.sampled_from([
    "tests/data/{n}.json", "tests/fixtures/{n}.csv", "test/{n}.md", "spec/{n}.yaml",
    "docs/spec/{n}.md", "tests/{n}.txt", "src/__tests__/__snapshots__/{n}.test.js.snap",
    "tests/fixtures/{n}.tfvars", "tests/__init__.py", "tests/{n}_helpers.py",
    "tests/tests_{n}.py", "test/fixtures/{n}.json"])  # a conftest.py makes pytest found
NO_RUNNER = {"package.json": '{"name": "x", "version": "1.0.0"}\n', "sum.js": "exports.a = 1;\n"}
STEMS = st.from_regex(r"[a-z]{1,8}", fullmatch=True)


def _layout(drawn: list[tuple[str, str]]) -> list[str]:
    return list(dict.fromkeys(name.format(n=stem) for name, stem in drawn))


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(TEST_NAMES, STEMS), min_size=1, max_size=7),
       st.lists(st.tuples(NOT_TESTS, STEMS), max_size=4))
def test_tests_no_command_runs_are_named_not_verified_and_the_gate_passes(
        tmp_path_factory, tests, others) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "repo", NO_RUNNER, branch="work")
    added, data = _layout(tests), _layout(others)
    write_files(root, dict.fromkeys([*added, *data], "// a test\n"))
    write_files(root, {"sum.js": "exports.a = 2;\n"})

    result = gate_result(root, Gates(), ("sum.js", *added, *data))

    named = ", ".join(sorted(added)[:5]) + (f" and {len(added) - 5} more"
                                            if len(added) > 5 else "")
    assert (result.passed, result.skipped, result.user_fix) == (True, True, None)
    assert result.summary.startswith(
        f"{NOT_RUN} ({named}): no test command runs them (no pytest, npm, go, cargo, maven, "
        "gradle or make project found); fix: ")
    assert GateReport(results=(result,)).passed  # never a stop: the run goes on
    # the tests turned off on purpose (`test = []`): skipped, still naming them
    off = gate_result(root, Gates(test=()), ("sum.js", *added, *data))
    assert (off.passed, off.skipped, off.user_fix) == (True, True, None)
    assert off.summary.endswith(f"; not run: {named}")


@settings(max_examples=12, deadline=None)
@given(st.lists(st.tuples(NOT_TESTS, STEMS), min_size=1, max_size=5), st.booleans())
def test_data_fixtures_docs_and_helpers_in_test_folders_are_not_tests_no_command_runs(
        tmp_path_factory, others, edited) -> None:
    data = _layout(others)
    base = {**NO_RUNNER, **(dict.fromkeys(data, "old\n") if edited else {})}
    root = init_repo(tmp_path_factory.mktemp("r") / "repo", base, branch="work")
    write_files(root, {**dict.fromkeys(data, "new\n"), "sum.js": "exports.a = 2;\n"})
    result = gate_result(root, Gates(), ("sum.js", *data))
    assert (result.passed, result.skipped) == (True, True)
    assert result.summary == ("skipped: no test command (no pytest, npm, go, cargo, maven, "
                              "gradle or make project found)")


@pytest.mark.parametrize(("files", "fix"), [
    ({"backend/x.go": "package x\n"},
     'set `[gates] test = ["go test ./..."]` in .reviewloop.toml after `go mod init`'),
    ({"src/lib.rs": "\n"}, 'set `[gates] test = ["cargo test"]`'),
    ({"backend/go.mod": "module x\n"}, 'set `[gates] test = ["cd backend && go test ./..."]`'),
    ({"crates/a/Cargo.toml": "[package]\n"},
     'set `[gates] test = ["cargo test --manifest-path crates/a/Cargo.toml"]`'),
    ({"packages/a/package.json": '{"name": "a"}\n', "packages/a/x.js": "\n"},
     "give packages/a/package.json a `test` script and set `[gates] test = "
     '["npm test --prefix packages/a"]`'),
    ({"app.rb": "\n"}, 'set `[gates] test = ["bundle exec rspec"]`'),
])
def test_the_fix_names_the_command_for_the_tests_language_and_project(
        tmp_path: Path, files: dict[str, str], fix: str) -> None:
    test = {"backend/x.go": "backend/x_test.go", "src/lib.rs": "tests/it.rs",
            "backend/go.mod": "backend/api/x_test.go",
            "crates/a/Cargo.toml": "crates/a/tests/it.rs",
            "packages/a/package.json": "packages/a/x.test.js", "app.rb": "spec/app_spec.rb"}
    added = test[next(iter(files))]
    root = init_repo(tmp_path / "repo", files, branch="work")
    write_files(root, {added: "// a test\n"})
    result = gate_result(root, Gates(build=("true",)), (added,))
    assert result.summary.startswith(f"{NOT_RUN} ({added}): no test command runs them (no ")
    assert "gates.build" not in result.summary  # another gate's setting is no reason
    assert fix in result.summary


def test_a_change_with_no_test_in_a_project_with_no_command_is_skipped(tmp_path) -> None:
    root = init_repo(tmp_path / "repo", NO_RUNNER, branch="work")
    write_files(root, {"sum.js": "exports.a = 2;\n", "docs/testing.md": "how\n"})
    result = gate_result(root, Gates(), ("sum.js", "docs/testing.md"))
    assert (result.passed, result.skipped) == (True, True)
    assert result.summary == ("skipped: no test command (no pytest, npm, go, cargo, maven, "
                              "gradle or make project found)")
