"""The failed tests read from a runner's own report: JUnit XML, or jest's JSON results."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.checks.coverage.junit import failed_tests


def test_jest_results_name_each_failed_assertion_and_each_suite_that_did_not_run(
        tmp_path: Path) -> None:
    report = tmp_path / "jest-results.json"
    report.write_text(json.dumps({"testResults": [
        {"name": str(tmp_path / "test/a.test.js"), "status": "failed", "message": "",
         "assertionResults": [
             {"ancestorTitles": ["sum"], "title": "adds", "status": "failed",
              "failureMessages": ["Expected: 3\n  Received: -1"], "location": {"line": 4}},
             {"ancestorTitles": ["sum"], "title": "is pure", "status": "passed"}]},
        {"name": str(tmp_path / "test/b.test.js"), "status": "failed",
         "message": "SyntaxError: Unexpected token", "assertionResults": []},
        {"name": str(tmp_path / "test/c.test.js"), "status": "passed",
         "assertionResults": [{"title": "ok", "status": "passed"}]}]}))
    found = failed_tests([report], tmp_path)
    assert found is not None
    assert [(t.id, t.file, t.line, t.message) for t in found] == [
        ("test/a.test.js > sum > adds", "test/a.test.js", 4, "Expected: 3 Received: -1"),
        ("test/b.test.js", "test/b.test.js", None, "SyntaxError: Unexpected token")]


def test_no_report_or_an_unreadable_one_is_none(tmp_path: Path) -> None:
    broken = tmp_path / "jest-results.json"
    broken.write_text("{not json")
    assert failed_tests([tmp_path / "missing.xml", broken], tmp_path) is None
    (tmp_path / "other.json").write_text("[1, 2]")
    assert failed_tests([tmp_path / "other.json"], tmp_path) is None
