"""The tests relevant to a fix (changed test files, tests named after or importing a changed
module) and the test commands narrowed to them; anything else runs the full test gate."""

from __future__ import annotations

import shlex
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.fixes.retest import narrowed_commands, plain_argv, relevant_tests
from reviewloop.git.repository import open_repository
from tests.support.repos import init_repo

FILES = {
    "app/calc.py": "def add(a, b):\n    return a + b\n",
    "app/__init__.py": "",
    "util.py": "X = 1\n",
    "web/format.ts": "export const f = 1\n",
    "tests/test_calc.py": "def test_add():\n    pass\n",  # named after calc
    "tests/test_math.py": "from app.calc import add\n",  # imports calc
    "tests/test_pkg.py": "from app import calc\n",  # imports calc from its package
    "tests/test_other.py": "import util\n# calculator notes\n",  # neither
    "web/format.test.ts": "import { f } from './format'\n",
    "web/other.spec.js": "const f = require('../web/format')\n",
    "web/unrelated.test.ts": "import { g } from './g'\n",
}


def project(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "p", FILES, message="start")
    (root / "tests/test_new.py").write_text("import os\n")  # untracked: still a test file
    return root


def test_tests_named_after_or_importing_a_changed_module(tmp_path: Path) -> None:
    repo = open_repository(project(tmp_path))
    assert relevant_tests(repo, ["app/calc.py"]) == [
        "tests/test_calc.py", "tests/test_math.py", "tests/test_pkg.py"]
    assert relevant_tests(repo, ["web/format.ts"]) == ["web/format.test.ts",
                                                        "web/other.spec.js"]


def test_a_changed_test_file_is_relevant_itself(tmp_path: Path) -> None:
    repo = open_repository(project(tmp_path))
    assert relevant_tests(repo, ["tests/test_new.py", "tests/test_gone.py"]) == [
        "tests/test_new.py"]  # a deleted test is not run
    assert relevant_tests(repo, ["README.md"]) == []


def test_pytest_commands_are_narrowed_and_others_run_whole_only_for_their_tests() -> None:
    commands = ("python -m pytest -q", "npm test")
    assert narrowed_commands(commands, ["tests/test_calc.py", "tests/a b.py"]) == (
        "python -m pytest -q tests/test_calc.py 'tests/a b.py'",)
    assert narrowed_commands(commands, ["tests/test_calc.py", "web/format.test.ts"]) == (
        "python -m pytest -q tests/test_calc.py", "npm test")
    # nothing could be pointed at the tests: the caller runs the full test gate
    assert narrowed_commands(commands, ["web/format.test.ts"]) is None
    assert narrowed_commands(("make test",), ["tests/test_calc.py"]) is None


PYTESTS = st.sampled_from(["pytest", "py.test", "python -m pytest", ".venv/bin/pytest",
                           "python3 -m pytest"])
OPTIONS = st.lists(st.sampled_from(["-q", "-x", "tests/unit", "-k 'not slow'", '-m "a or b"',
                                    "--maxfail=2", "-p no:cacheprovider"]), max_size=3)
# what a shell reads besides the argv: the forms that once got the test paths spliced in
SHELL_TAILS = st.sampled_from([
    " 2>&1 | tee pytest.log", " | tee pytest.log", " || true", " && echo ok", "; python -m mypy .",
    " # all tests", " > pytest.log", " 2> err.log", " &", "\npython -m mypy .", " $(cat extra)",
    " `cat extra`", " $EXTRA", " |& tee log", " &> log", " < /dev/null", " ; ", ")"])
TESTS = st.lists(st.sampled_from(["tests/test_calc.py", "test_calc.py", "tests/a b.py",
                                  "qa/check_calc.py"]), min_size=1, max_size=3, unique=True)


@given(PYTESTS, OPTIONS, TESTS)
def test_a_plain_pytest_argv_gets_the_relevant_tests_appended(
        runner: str, options: list[str], tests: list[str]) -> None:
    command = " ".join([runner, *options])
    assert plain_argv(command)
    narrowed = narrowed_commands((command,), tests)
    assert narrowed is not None and len(narrowed) == 1
    assert narrowed[0].startswith(command + " ")
    assert shlex.split(narrowed[0])[-len(tests):] == tests


@given(PYTESTS, OPTIONS, SHELL_TAILS, st.sampled_from(["", " -q", " tests"]), TESTS)
def test_a_pytest_command_with_shell_syntax_runs_unchanged(
        runner: str, options: list[str], shell: str, more: str, tests: list[str]) -> None:
    command = " ".join([runner, *options]) + shell + more
    assert not plain_argv(command)
    for commands in ((command,), (command, "npm test")):
        narrowed = narrowed_commands(commands, [*tests, "web/a.test.ts"])
        # nothing narrowed: the full test gate runs, each command exactly as configured
        assert narrowed is None
    narrowed = narrowed_commands((command, "python -m pytest -q"), tests)
    assert narrowed == (command, "python -m pytest -q " + " ".join(map(shlex.quote, tests)))


# pytest `python_files` a project may declare, each with a name it makes a test file
DECLARED = st.sampled_from([("check_*.py", "check_{n}.py"), ("*_checks.py", "{n}_checks.py"),
                            ("it_*.py", "it_{n}.py"), ("spec?*.py", "spec{n}.py")])
CONFIGS = st.sampled_from([
    ("pyproject.toml", "[tool.pytest.ini_options]\npython_files = [{quoted}]\n"),
    ("pytest.ini", "[pytest]\npython_files = {plain}\n"),
    ("setup.cfg", "[tool:pytest]\npython_files = {plain}\n"),
    ("tox.ini", "[pytest]\npython_files = {plain}\n")])


@settings(max_examples=12, deadline=None)
@given(DECLARED, CONFIGS, st.sampled_from(["", "qa/", "src/checks/"]),
       st.from_regex(r"[a-z]{2,8}", fullmatch=True))
def test_the_projects_python_files_are_the_tests_a_fix_re_runs(
        tmp_path_factory, declared: tuple[str, str], config: tuple[str, str], folder: str,
        stem: str) -> None:
    """The test gate's own answer (`checks.gates.verified.tests_in`): a fix to a project
    whose tests are `check_*.py` re-runs those, found by their imports, and a changed one is
    re-run itself — never taken for a module whose importers are looked for."""
    pattern, name = declared
    filename, text = config
    test = f"{folder}{name.format(n=stem)}"
    module = f"lib{stem}"
    root = init_repo(tmp_path_factory.mktemp("r") / "p", {
        filename: text.format(quoted=f'"{pattern}"', plain=pattern),
        f"{module}.py": "def run():\n    return 1\n",
        test: f"from {module} import run\n\n\ndef test_run():\n    assert run() == 1\n",
        "other.py": "X = 1\n"})
    repo = open_repository(root)

    assert relevant_tests(repo, [f"{module}.py"]) == [test]
    assert relevant_tests(repo, [test]) == [test]
    assert relevant_tests(repo, ["other.py"]) == []


def test_a_file_the_projects_testpaths_names_is_a_test_a_fix_re_runs(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["smoke.py"]\n',
        "calc.py": "def add(a, b):\n    return a + b\n",
        "smoke.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"})
    repo = open_repository(root)
    assert relevant_tests(repo, ["calc.py"]) == ["smoke.py"]
    assert relevant_tests(repo, ["smoke.py"]) == ["smoke.py"]


# test code no runner collects: whatever test uses it may break, so every test runs
SUPPORT = st.sampled_from(["tests/conftest.py", "conftest.py", "tests/helpers.py",
                           "tests/__init__.py", "tests/support/fakes.py",
                           "tests/data/rows.json", "tests/fixtures/a.txt"])


@settings(max_examples=12, deadline=None)
@given(SUPPORT, st.lists(st.sampled_from(["app/calc.py", "tests/test_calc.py", "util.py"]),
                         max_size=2))
def test_a_fix_to_test_code_no_runner_collects_runs_the_whole_test_gate(
        tmp_path_factory, support: str, others: list[str]) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "p", {**FILES, support: "X = 1\n"})
    repo = open_repository(root)
    # an empty list: no narrowing, the whole test command runs (`Retest.relevant`)
    assert relevant_tests(repo, [support, *others]) == []
    assert narrowed_commands(["python -m pytest"], relevant_tests(repo, [support])) is None
