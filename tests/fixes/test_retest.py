"""The tests relevant to a fix (changed test files, tests named after or importing a changed
module) and the test commands narrowed to them; anything else runs the full test gate."""

from __future__ import annotations

from pathlib import Path

from reviewloop.fixes.retest import narrowed_commands, relevant_tests
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
    assert relevant_tests(repo, ["tests/test_new.py", "tests/gone.py"]) == [
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
