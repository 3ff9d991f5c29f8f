"""`review --fix`: the round that re-reviews a fix asks the test-changes analyzer about the
change as a whole, not the fix alone.

A review's baseline is the reviewed tree, so from round 2 on the analyzers' diff is the fix
alone: a fix that touched only production code (ruff's safe fix of `x is 1`) looked like a
change with no test change, and "Production code changed with no test change" was reported
in round 2 and escalated for a change that did edit its tests
(`AnalyzerContext.earlier`: round 1's files count as changed too).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.app.review import analyzers_for
from reviewloop.config import Settings
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.repos import init_repo, write_files

CODE = "def f(x):\n    return x\n"
FIXABLE = "def f(x):\n    if x is 1:\n        return 0\n    return x\n"  # F632, safely fixable
TEST = "from a import f\n\n\ndef test_f():\n    assert f(2) == 2\n"


def _reviewed(tmp_path: Path, test_file: str, *, test_changed: bool) -> RunSummary:
    root = init_repo(tmp_path / "r", {"a.py": CODE, test_file: TEST})
    write_files(root, {"a.py": FIXABLE})
    if test_changed:
        write_files(root, {test_file: TEST + "\n\ndef test_one():\n    assert f(1) == 0\n"})
    summary = review_change(root, Settings(), DiffSource(), model_factory=lambda name: None,
                            llm=False, fix=True, analyze=analyzers_for(Settings()))
    assert isinstance(summary, RunSummary)
    return summary


def _rules(summary: RunSummary) -> dict[str | None, str]:
    return {e.finding.rule: e.status.value for e in summary.ledger.entries}


@pytest.mark.parametrize("test_file", ["tests/test_a.py", "a_test.py"])
def test_a_fix_round_does_not_call_a_change_with_its_tests_untested(tmp_path, test_file):
    summary = _reviewed(tmp_path, test_file, test_changed=True)
    assert summary.rounds >= 2  # the fix was made and re-reviewed
    assert _rules(summary) == {"F632": "fixed"}
    assert not summary.escalations


def test_a_change_with_no_test_change_is_still_reported_and_stays_so(tmp_path):
    summary = _reviewed(tmp_path, "tests/test_a.py", test_changed=False)
    rules = _rules(summary)
    assert rules["F632"] == "fixed"
    assert rules["no-test-change"] in ("open", "escalated")
    [entry] = [e for e in summary.ledger.entries if e.finding.rule == "no-test-change"]
    assert entry.history[0].round == 1  # reported on the change, not first on the fix
