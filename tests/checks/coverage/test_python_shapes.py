"""New-code coverage of Python functions defined under module-level compound statements
(`for`, `while`, `match`, `try … except*`, `with`, `if`): each is checked as plain coverage.py
sees it — untested exactly when `coverage run -m pytest` leaves its body line missing."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.measure import forget
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

# Each wrapper holds `BODY` (a def, indented by the wrapper) and runs it once at import.
WRAPPERS = (
    "for _i in range(1):\nBODY",
    "for _i in range(0):\n    pass\nelse:\nBODY",
    "while True:\nBODY\n    break",
    "match 1:\n    case 1:\nBODY",
    "try:\n    raise ExceptionGroup('g', [ValueError()])\nexcept* ValueError:\nBODY",
    "try:\n    pass\nfinally:\nBODY",
    "with open(__file__):\nBODY",
    "if True:\nBODY",
    "BODY",
)


def _module(seed: int) -> tuple[str, str, list[str]]:
    """(lib.py, its test calling a fixed-seed half of the functions, every function name)."""
    chosen = random.Random(seed)
    parts, names, called = [], [], []
    for number, wrapper in enumerate(WRAPPERS):
        name = f"f{number}"
        depth = "" if wrapper == "BODY" else "    " * (2 if "case" in wrapper else 1)
        body = f"{depth}def {name}(x):\n{depth}    return x + {number}"
        parts.append(wrapper.replace("BODY", body))
        names.append(name)
        if chosen.random() < 0.5:
            called.append(name)
    test = "import lib\n\n\ndef test_some():\n" + "".join(
        f"    assert lib.{n}(1) == 1 + {n[1:]}\n" for n in called) + "    assert True\n"
    return "\n\n\n".join(parts) + "\n", test, names


def _coverage_missing(root: Path) -> set[int]:
    """The lines of lib.py plain `coverage run -m pytest` reports missing (the oracle)."""
    subprocess.run([sys.executable, "-m", "coverage", "run", "-m", "pytest", "-q",
                    "-p", "no:cacheprovider"], cwd=root, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "coverage", "json", "-o", "cov.json"],
                   cwd=root, check=True, capture_output=True)
    report = json.loads((root / "cov.json").read_text())
    return set(report["files"]["lib.py"]["missing_lines"])


@pytest.mark.parametrize("seed", [0, 1])
def test_functions_under_module_level_compound_statements_are_checked_as_coverage_py_sees(
        tmp_path, seed):
    forget()
    lib, test, names = _module(seed)
    root = init_repo(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "tests/test_none.py": "def test_nothing():\n    assert True\n"}, message="start")
    (root / "lib.py").write_text(lib)
    (root / "tests/test_lib.py").write_text(test)
    git(root, "add", ".")
    diff = git(root, "diff", "--cached")

    check = new_code_coverage(root, parse_diff(diff), ProjectTests())

    assert sorted(s.name for s in check.functions) == sorted(names)
    missing = _coverage_missing(root)
    assert {s.name for s in check.untested} == \
        {s.name for s in check.functions if s.body_start in missing}
