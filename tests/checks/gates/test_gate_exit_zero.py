"""The test gate goes by what the test runner reported, not only by the exit code of the
command around it: `pytest … || true`, `make -i test` and tox's ignore_outcome exit 0 while
pytest printed failing tests (fuzz11loop D6: "✓ test: 3 passed" on "2 failed, 3 passed").
The oracle is plain pytest on the same project: the gate passes exactly when it exits 0,
and its summary gives plain pytest's own counts."""

from __future__ import annotations

import itertools
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.gates import GateContext
from reviewloop.checks.gates.test import TestGate
from reviewloop.config import Gates, Settings
from tests.support.gitutil import git
from tests.support.repos import init_repo

PYTEST = f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider"
# how a project's test command hides (or keeps) pytest's exit code
WRAPPERS = ("{}", "{} || true", "{}; exit 0", "sh -c '{}; true'")


def _project(root: Path, passing: int, failing: int) -> Path:
    tests = "".join(f"def test_ok_{i}():\n    assert True\n\n\n" for i in range(passing))
    tests += "".join(f"def test_bad_{i}():\n    assert False\n\n\n" for i in range(failing))
    init_repo(root, {"pytest.ini": "[pytest]\n", "tests/test_gen.py": tests})
    git(root, "switch", "-q", "-c", "feature/x")
    return root


@pytest.mark.parametrize(("passing", "failing", "wrapper"),
                         list(itertools.product((1, 3), (0, 2), WRAPPERS)))
def test_the_gate_passes_exactly_when_plain_pytest_does(
        tmp_path: Path, passing: int, failing: int, wrapper: str) -> None:
    root = _project(tmp_path / "repo", passing, failing)
    plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=root, capture_output=True, text=True, check=False)
    said = {w: int(n) for n, w in re.findall(r"(\d+) (passed|failed)", plain.stdout)}
    command = wrapper.format(PYTEST)
    ctx = GateContext(root=root, settings=Settings(gates=Gates(test=(command,))),
                      changed_files=("tests/test_gen.py",), diff_text="",
                      branch="feature/x", default_branch="main", phase="implement")

    result = TestGate().run(ctx)

    assert result.passed == (plain.returncode == 0), result.summary
    assert (result.passed_tests, result.failed_tests) == (said.get("passed", 0),
                                                          said.get("failed", 0))
    if not result.passed:  # never a bare pass count beside failures
        assert f"{said['failed']} failed, {said['passed']} passed" in result.summary
