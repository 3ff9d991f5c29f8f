"""The gates on real git repositories with real pytest runs, and the registry that runs them."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from reviewloop.checks.gates import GateContext, GateReport, GateResult
from reviewloop.checks.gates.base import TAIL_CHARS
from reviewloop.checks.gates.branch import BranchGate
from reviewloop.checks.gates.build import BuildGate
from reviewloop.checks.gates.commands import run_shell
from reviewloop.checks.gates.registry import REGISTRY, run_gates
from reviewloop.checks.gates.test import TestGate
from reviewloop.checks.paths import looks_like_test
from reviewloop.config import Gates, Settings
from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import project_env
from tests.support.gitutil import git
from tests.support.repos import init_repo

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"
PYTHON = shlex.quote(sys.executable)

PASSING = {
    "pytest.ini": "[pytest]\n",
    "calc.py": "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
                          "\n\ndef test_add_negative():\n    assert add(-1, -2) == -3\n",
}
FAILING = {**PASSING, "calc.py": "def add(a, b):\n    return a - b\n"}


def settings(**gates) -> Settings:
    return Settings(gates=Gates(**gates))


def context(root: Path, config: Settings, *, changed: tuple[str, ...] = ("calc.py",),
            phase: str = "implement") -> GateContext:
    """A context as the loop builds it: branch facts read from the real repository."""
    repo = open_repository(root)
    return GateContext(root=root, settings=config, changed_files=changed, diff_text="",
                       branch=repo.current_branch(), default_branch=repo.default_branch(),
                       phase=phase)


@pytest.fixture
def working_repo(tmp_path):
    """A passing pytest project on a working branch."""
    root = init_repo(tmp_path / "repo", PASSING)
    git(root, "switch", "-q", "-c", "feature/calc")
    return root


# -- test gate --------------------------------------------------------------------------


def test_passing_pytest_project(working_repo):
    result = TestGate().run(context(working_repo, settings(test=(PYTEST,))))
    assert (result.name, result.passed, result.skipped) == ("test", True, False)
    assert (result.passed_tests, result.failed_tests) == (2, 0)
    assert result.summary == "2 passed"
    assert result.output_tail.startswith(f"$ {PYTEST}\n")
    assert result.output_tail.endswith("[exit 0]\n")
    assert result.duration_s > 0


def test_failing_pytest_project(tmp_path):
    root = init_repo(tmp_path / "repo", FAILING, branch="work")
    result = TestGate().run(context(root, settings(test=(PYTEST,))))
    assert not result.passed
    assert (result.passed_tests, result.failed_tests) == (0, 2)
    assert result.summary == f"2 failed, 0 passed; `{PYTEST}` exited with 1"
    assert "assert -1 == 3" in result.output_tail
    assert result.output_tail.endswith("[exit 1]\n")


@pytest.mark.parametrize("wrapped", ["{} || true", "{}; true", "{} || echo ignored",
                                     "sh -c '{}; exit 0'"])
def test_failures_a_zero_exit_hides_are_said_though_the_exit_code_decides(tmp_path, wrapped):
    """`pytest || true`, `make -i test`, tox's ignore_outcome: the command passes the gate
    (its exit code decides: a runner-shaped line in a passing run's output must not fail
    it), and the gate's line says what the output reported instead of `N passed` alone."""
    root = init_repo(tmp_path / "repo", FAILING, branch="work")
    command = wrapped.format(PYTEST)
    result = TestGate().run(context(root, settings(test=(command,))))
    assert (result.passed, result.passed_tests, result.failed_tests) == (True, 0, 2)
    assert result.summary == ("0 passed; the output reports 2 failed, but the command exited "
                              f"0, which passes the gate: `{command}`")


def test_counts_are_summed_over_test_commands(working_repo):
    result = TestGate().run(context(working_repo, settings(test=(PYTEST, PYTEST))))
    assert (result.passed, result.passed_tests, result.summary) == (True, 4, "4 passed")


def test_one_failing_command_fails_the_gate_after_all_ran(working_repo):
    result = TestGate().run(context(working_repo, settings(test=("exit 3", PYTEST))))
    assert not result.passed
    assert result.summary == "0 failed, 2 passed; `exit 3` exited with 3"
    assert result.passed_tests == 2


def test_no_tests_collected_passes_when_the_change_has_no_tests(tmp_path):
    root = init_repo(tmp_path / "repo", {"pytest.ini": "[pytest]\n", "app.py": "X = 1\n"},
                     branch="work")
    result = TestGate().run(context(root, settings(test=(PYTEST,)), changed=("app.py",)))
    assert (result.passed, result.summary, result.passed_tests) == (True, "no tests collected", 0)


def test_no_tests_collected_fails_when_the_change_adds_tests(tmp_path):
    root = init_repo(tmp_path / "repo", {"pytest.ini": "[pytest]\npython_files = check_*.py\n",
                                         "tests/test_app.py": "def test_x():\n    pass\n"},
                     branch="work")
    result = TestGate().run(context(root, settings(test=(PYTEST,)),
                                    changed=("tests/test_app.py",)))
    assert not result.passed
    assert result.summary == (f"0 failed, 0 passed; `{PYTEST}` collected no tests although the "
                              "change touches tests/test_app.py")


def test_runner_without_a_count_passes_on_exit_zero(working_repo):
    result = TestGate().run(context(working_repo, settings(test=("echo all good",))))
    assert result.passed
    assert result.passed_tests is None
    assert result.summary == "passed (no test count reported): `echo all good`"


def test_timeout_fails_the_gate(working_repo):
    config = Settings(gates=Gates(test=(f"{PYTHON} -c 'import time; time.sleep(30)'",),
                                  timeout_seconds=1))
    started = time.monotonic()
    result = TestGate().run(context(working_repo, config))
    assert time.monotonic() - started < 10
    assert not result.passed
    assert result.summary.endswith("timed out after 1s")
    assert "and was killed]" in result.output_tail


def test_detected_pytest_is_skipped_when_off(working_repo):
    result = TestGate().run(context(working_repo, settings(test=())))
    assert (result.passed, result.skipped) == (True, True)
    assert result.summary.startswith("skipped: no test command (gates.test configured")


def test_nothing_to_detect_is_a_skip(tmp_path):
    root = init_repo(tmp_path / "repo", {"README.md": "hello\n"}, branch="work")
    result = TestGate().run(context(root, settings()))
    assert result == GateResult(
        name="test", passed=True, skipped=True,
        summary="skipped: no test command (no pytest, npm, go, cargo, maven, gradle or make "
                "project found)")


@pytest.mark.parametrize(("path", "is_test"), [
    ("tests/test_app.py", True), ("test_app.py", True), ("pkg/app_test.go", True),
    ("src/sum.test.ts", True), ("src/__tests__/sum.js", True), ("spec/a.spec.js", True),
    ("src/app.py", False), ("src/contest.py", False), ("docs/testing.md", False),
])
def test_looks_like_test(path, is_test):
    assert looks_like_test(path) is is_test


# -- build gate -------------------------------------------------------------------------


def test_failing_build_shows_the_output_tail_and_stops(working_repo):
    # flushed: with stdout a pipe and no PYTHONUNBUFFERED, the print would follow the error
    broken = f"{PYTHON} -c \"print('compiling calc', flush=True); " \
             "raise SystemExit('calc.c:3: error: expected ;')\""
    result = BuildGate().run(context(working_repo, settings(build=(broken, "echo second"))))
    assert not result.passed
    assert result.summary == f"`{broken}` exited with 1"
    assert result.output_tail == f"$ {broken}\ncompiling calc\ncalc.c:3: error: expected ;\n" \
                                 "[exit 1]\n"


def test_passing_build(working_repo):
    result = BuildGate().run(context(working_repo, settings(build=("true", "echo built"))))
    assert (result.passed, result.summary) == (True, "passed: `true`, `echo built`")
    assert result.output_tail == "$ true\n[exit 0]\n$ echo built\nbuilt\n[exit 0]\n"


def test_long_build_output_keeps_the_end(working_repo):
    noisy = f"{PYTHON} -c \"[print(f'line {{i}}') for i in range(5000)]; raise SystemExit(2)\""
    result = BuildGate().run(context(working_repo, settings(build=(noisy,))))
    assert len(result.output_tail) <= TAIL_CHARS
    assert result.output_tail.startswith("[… earlier output cut …]\nline ")
    assert result.output_tail.endswith("line 4999\n[exit 2]\n")


def test_build_skipped_for_a_python_project(working_repo):
    result = BuildGate().run(context(working_repo, settings()))
    assert result.skipped
    assert result.summary == "skipped: no build command (detected pytest (pytest.ini))"


# -- commands ---------------------------------------------------------------------------


SANDBOX = Sandbox()


def test_only_allow_listed_variables_reach_project_code(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_API_TOKEN", "t0ken")
    monkeypatch.setenv("DB_PASSWORD", "hunter2")
    monkeypatch.setenv("aws_secret_access_key", "abc")
    monkeypatch.setenv("REVIEWLOOP_HARMLESS", "dropped")
    monkeypatch.setenv("LANG", "C.UTF-8")
    code, output, timed_out, _ = run_shell("env", tmp_path, timeout=30, sandbox=SANDBOX)
    assert (code, timed_out) == (0, False)
    assert "REVIEWLOOP_HARMLESS" not in output and "LANG=C.UTF-8" in output
    assert "t0ken" not in output and "hunter2" not in output and "abc" not in output
    assert "PATH=" in output


def test_project_env_sets_ci_and_keeps_the_reviewed_tree_off_pythons_path():
    env = project_env({"PATH": "/bin", "GITHUB_TOKEN": "x", "SSH_KEY_PATH": "y",
                       "PYTHONSAFEPATH": ""})
    assert env == {"PATH": "/bin", "CI": "true", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONSAFEPATH": "1"}


def test_stdin_is_closed_and_stderr_merged(tmp_path):
    code, output, _, _ = run_shell("cat; echo out; echo err >&2", tmp_path, timeout=30,
                                   sandbox=SANDBOX)
    assert (code, output) == (0, "out\nerr\n")


def test_timeout_kills_the_whole_process_group(tmp_path):
    marker = tmp_path / "marker"
    command = f"(sleep 2; touch {shlex.quote(str(marker))}) & sleep 30"
    code, _, timed_out, duration = run_shell(command, tmp_path, timeout=0.5, sandbox=SANDBOX)
    assert timed_out and code != 0 and duration < 30  # the 30 s sleep was not waited for
    time.sleep(2.5)  # when the orphan would have touched the marker (late is a pass, not a flake)
    assert not marker.exists()


# -- branch gate ------------------------------------------------------------------------


def branch_result(root: Path, **gates) -> GateResult:
    return BranchGate().run(context(root, settings(**gates)))


FIX = "rerun with `reviewloop run … --branch NAME` to create a working branch " \
      "(or `git switch -c NAME`)"


@pytest.mark.parametrize("default", ["main", "master"])
def test_default_branch_fails(tmp_path, default):
    root = init_repo(tmp_path / "repo", PASSING, branch=default)
    result = branch_result(root, protected_branches=())
    assert not result.passed
    assert result.summary == f"refusing to commit on the default branch {default}: {FIX}"


def test_protected_pattern_fails(tmp_path):
    root = init_repo(tmp_path / "repo", PASSING)
    git(root, "switch", "-q", "-c", "release/1.2")
    result = branch_result(root)
    assert not result.passed
    assert result.summary == ("refusing to commit on the protected branch release/1.2 "
                              f"(matches release/*): {FIX}")


def test_configured_protected_name_fails(tmp_path):
    root = init_repo(tmp_path / "repo", PASSING)
    git(root, "switch", "-q", "-c", "develop")
    result = branch_result(root, protected_branches=("develop",))
    assert result.summary == f"refusing to commit on the protected branch develop: {FIX}"


def test_working_branch_passes(working_repo):
    result = branch_result(working_repo)
    assert (result.passed, result.summary) == (True, "on working branch feature/calc")


def test_detached_head_fails(working_repo):
    git(working_repo, "switch", "-q", "--detach", "HEAD")
    result = branch_result(working_repo)
    assert not result.passed
    assert result.summary == f"HEAD is detached, so there is no branch to commit on: {FIX}"


def test_branch_gate_does_not_apply_to_a_review(tmp_path):
    root = init_repo(tmp_path / "repo", PASSING)
    report = run_gates(context(root, settings(), phase="review"), ["branch"])
    assert report.results == (GateResult.skip("branch", "does not apply in the review phase"),)
    assert report.passed


# -- registry and report ----------------------------------------------------------------


class Recording:
    def __init__(self, name: str, log: list[str], *, passed: bool = True, error=None):
        self.name, self.log, self.passed, self.error = name, log, passed, error

    def applies(self, ctx: GateContext) -> bool:
        return True

    def run(self, ctx: GateContext) -> GateResult:
        self.log.append(self.name)
        if self.error is not None:
            raise self.error
        return GateResult(name=self.name, passed=self.passed, summary=f"{self.name} ran")


def test_registry_holds_the_built_in_gates_in_order():
    assert list(REGISTRY) == ["branch", "secrets", "build", "synth", "test", "coverage",
                              "kiro-hooks", "hooks"]
    assert all(gate.name == name for name, gate in REGISTRY.items())


def test_gates_run_in_registry_order_whatever_the_names_order(working_repo):
    log: list[str] = []
    table = {n: Recording(n, log) for n in ("first", "second", "third")}
    report = run_gates(context(working_repo, settings()), ["third", "first"], gates=table)
    assert log == ["first", "third"]
    assert [r.name for r in report.results] == ["first", "third"]


def test_unknown_gate_name_is_an_error(working_repo):
    with pytest.raises(ValueError, match="unknown gate"):
        run_gates(context(working_repo, settings()), ["lint"])


def test_exploding_gate_becomes_a_failed_result(working_repo):
    log: list[str] = []
    table = {"boom": Recording("boom", log, error=RuntimeError("disk on fire")),
             "after": Recording("after", log)}
    report = run_gates(context(working_repo, settings()), gates=table)
    assert log == ["boom", "after"]
    boom = report.result("boom")
    assert boom is not None and not boom.passed
    assert boom.summary == "the boom gate crashed: RuntimeError: disk on fire"
    assert "Traceback" in boom.output_tail
    assert not report.passed
    assert report.failed == (boom,)


def test_reviewloop_errors_propagate(working_repo):
    table = {"strict": Recording("strict", [], error=UserInputError("bad", fix="fix it"))}
    with pytest.raises(UserInputError):
        run_gates(context(working_repo, settings()), gates=table)


def test_all_gates_on_a_real_working_branch(working_repo):
    report = run_gates(context(working_repo, settings(test=(PYTEST,))))
    assert [r.name for r in report.results] == list(REGISTRY)
    assert report.passed
    assert report.passed_tests == 2
    assert report.feedback() == ""


def test_all_gates_on_main_with_failing_tests(tmp_path):
    root = init_repo(tmp_path / "repo", FAILING)
    report = run_gates(context(root, settings(test=(PYTEST,))))
    assert [r.name for r in report.failed] == ["branch", "test"]
    feedback = report.feedback()
    assert feedback.startswith("The guard-rails failed. Fix these before anything else:\n\n"
                               "## branch gate: refusing to commit on the default branch main")
    assert f"## test gate: 2 failed, 0 passed; `{PYTEST}` exited with 1\n\n```\n$ {PYTEST}\n" \
        in feedback
    assert "assert -1 == 3" in feedback
    assert "build gate" not in feedback


def test_report_feedback_exact_text():
    report = GateReport(results=(
        GateResult(name="branch", passed=True, summary="on working branch x"),
        GateResult(name="build", passed=False, summary="`make` exited with 2",
                   output_tail="$ make\nmain.c:1: error\n[exit 2]\n"),
        GateResult(name="style", passed=False, blocking=False, summary="3 warnings",
                   output_tail="uses ```fences``` inside"),
    ))
    assert report.passed is False
    assert [r.name for r in report.failed] == ["build"]
    assert report.feedback() == (
        "The guard-rails failed. Fix these before anything else:\n\n"
        "## build gate: `make` exited with 2\n\n"
        "```\n$ make\nmain.c:1: error\n[exit 2]\n```\n\n"
        "## style gate: 3 warnings (advisory)\n\n"
        "````\nuses ```fences``` inside\n````\n")


def test_non_blocking_failure_does_not_fail_the_report():
    report = GateReport(results=(
        GateResult(name="coverage", passed=False, blocking=False, summary="2 untested"),
        GateResult(name="test", passed=True, summary="5 passed", passed_tests=5),
        GateResult(name="other", passed=True, summary="ok", passed_tests=3),
    ))
    assert report.passed and report.failed == ()
    assert report.passed_tests == 8


def test_report_without_counts():
    report = GateReport(results=(GateResult.skip("test", "nothing"),))
    assert report.passed_tests is None
    assert report.passed


def test_result_summary_is_one_line_and_tail_is_bounded():
    result = GateResult(name="x", passed=False, summary="first\nsecond  third",
                        output_tail="y" * 10_000)
    assert result.summary == "first second third"
    assert len(result.output_tail) <= TAIL_CHARS


def test_gate_whose_applies_explodes_is_a_failed_result(working_repo):
    class Picky(Recording):
        def applies(self, ctx: GateContext) -> bool:
            raise KeyError("phase")

    report = run_gates(context(working_repo, settings()), gates={"picky": Picky("picky", [])})
    assert report.results[0].summary == "the picky gate crashed: KeyError: 'phase'"
    assert not report.passed
