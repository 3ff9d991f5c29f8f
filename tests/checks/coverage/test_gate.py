"""The strict coverage gate fails on a new public function no test executes."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.checks.coverage.gate import CoverageGate
from reviewloop.checks.gates.base import GateContext
from reviewloop.config import Gates, Settings
from tests.support.gitutil import git


def project(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "p"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "tests/test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    with (root / "calc.py").open("a") as f:
        f.write("\n\ndef sub(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n")
    (root / "tests/test_calc.py").write_text(
        "from calc import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
        "def test_sub():\n    assert sub(3, 2) == 1\n")
    return root, git(root, "diff")


def context(root: Path, diff_text: str, mode: str) -> GateContext:
    gates = Gates(coverage=mode, test=(f"{sys.executable} -m pytest -p no:cacheprovider",))
    return GateContext(root=root, settings=Settings(gates=gates), changed_files=("calc.py",),
                       diff_text=diff_text, branch="work", default_branch="main",
                       phase="implement")


def test_strict_mode_fails_on_the_untested_function_only(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    gate = CoverageGate()
    ctx = context(root, diff_text, "strict")
    assert gate.applies(ctx)
    result = gate.run(ctx)
    assert not result.passed and result.blocking
    assert [f.title for f in result.findings] == [
        next(f.title for f in result.findings if "mul" in f.title)]
    assert "sub" not in " ".join(f.title for f in result.findings)


def test_report_mode_leaves_it_to_the_test_quality_reviewer(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    assert not CoverageGate().applies(context(root, diff_text, "report"))
