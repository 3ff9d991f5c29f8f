"""The `test_coverage` quality gate: the share of the changed executable lines the tests ran,
measured with the real test run under coverage.py, as a finding and a strict gate failure."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.checks.coverage.gate import CoverageGate, covered_commands
from reviewloop.checks.coverage.lines import changed_line_coverage
from reviewloop.checks.coverage.rules import THRESHOLD_RULE
from reviewloop.checks.gates.base import GateContext
from reviewloop.config import Gates, Settings
from reviewloop.git.diff import parse_diff
from tests.support.coverage import calc_project
from tests.support.gitutil import git
from tests.support.repos import init_repo

ADDED = ("\n\ndef sub(a, b):\n    return a - b\n\n\ndef _double(a):\n    total = (a +\n"
         "             a)\n    return total\n")


def project(tmp_path: Path) -> tuple[Path, str]:
    """calc.py gains `sub` (tested) and a private `_double` (never run): of the 6 executable
    changed lines (two defs, `return a - b`, the two-line assignment, `return total`), the
    tests run 3."""
    return calc_project(tmp_path, ADDED)


def context(root: Path, diff_text: str, threshold: float | None) -> GateContext:
    gates = Gates(coverage="strict", coverage_threshold=threshold,
                  test=(f"{sys.executable} -m pytest -p no:cacheprovider",))
    return GateContext(root=root, settings=Settings(gates=gates), changed_files=("calc.py",),
                       diff_text=diff_text, branch="work", default_branch="main",
                       phase="implement")


def test_changed_lines_count_once_per_statement_and_tests_do_not_count(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    measured = changed_line_coverage(root, parse_diff(diff_text),
                                     {"calc.py": {1, 2, 5, 6, 9}})
    # statements: def sub (5), return (6), def _double (9), total = … (10-11), return (12)
    assert measured.total == 5
    assert dict(measured.missed) == {"calc.py": (10, 12)}
    assert measured.describe() == "3 of 5 covered (60%)"


def test_below_the_threshold_the_gate_fails_with_the_figure_and_a_finding(tmp_path: Path
                                                                         ) -> None:
    root, diff_text = project(tmp_path)
    result = CoverageGate().run(context(root, diff_text, 0.85))
    assert not result.passed and result.blocking
    assert result.summary.endswith(
        "changed lines: 3 of 5 covered (60%), below the 85% threshold")
    [finding] = [f for f in result.findings if f.rule == THRESHOLD_RULE]
    assert (finding.file, finding.start_line) == ("calc.py", 10)
    assert "Not executed: calc.py: 10, 12." in finding.rationale


def test_at_or_over_the_threshold_the_gate_passes(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    result = CoverageGate().run(context(root, diff_text, 0.6))
    assert result.passed, result.summary
    assert "changed lines: 3 of 5 covered (60%), meets the 60% threshold" in result.summary


def test_a_threshold_runs_the_test_gate_under_coverage_for_private_code(tmp_path: Path
                                                                       ) -> None:
    root = init_repo(tmp_path / "q", {"calc.py": "def _helper():\n    return 1\n",
                                      "tests/test_calc.py": "def test_nothing():\n    pass\n"})
    (root / "calc.py").write_text("def _helper():\n    return 2\n")
    diff_text = git(root, "diff")
    assert covered_commands(context(root, diff_text, None)) == ()  # no public function
    assert covered_commands(context(root, diff_text, 0.8)) != ()
