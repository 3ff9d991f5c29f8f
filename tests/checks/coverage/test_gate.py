"""The strict coverage gate fails on a new public function no test executes."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.checks.coverage.gate import CoverageGate
from reviewloop.checks.gates.base import GateContext
from reviewloop.config import Gates, Settings
from tests.support.coverage import calc_project


def project(tmp_path: Path) -> tuple[Path, str]:
    """calc.py gains `sub` (tested) and `mul` (public, never run)."""
    return calc_project(tmp_path, "\n\ndef sub(a, b):\n    return a - b\n\n\n"
                                  "def mul(a, b):\n    return a * b\n")


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
