"""reviewloop.checks.gates.failures and the JS runners' counts: real output of vitest 3, jest 30,
mocha 11 and node 20's runner (TAP and spec) on the same failing suite, and the test gate
that puts the failing tests first in what goes back to the implementer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.counts import TestCounts, parse_counts
from reviewloop.checks.gates.failures import (
    BLOCK_CHARS,
    MAX_BLOCKS,
    failed_tests,
    failure_report,
)
from reviewloop.checks.gates.test import TestGate
from reviewloop.config import Settings

OUTPUT = Path(__file__).resolve().parents[2] / "fixtures" / "runner-output"


def sample(name: str) -> str:
    return (OUTPUT / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "runner", "names", "says"), [
    ("vitest-failing", "vitest", ["t/vi.test.js > math > adds wrongly",
                                  "t/vi.test.js > more > throws"],
     "AssertionError: expected 4 to be 5"),
    ("jest-failing", "jest", ["math › adds wrongly", "more › throws"], "Received:\n    4"),
    ("mocha-failing", "mocha", ["math adds wrongly", "more throws"], "4 !== 5"),
    ("node-tap-failing", "node", ["adds wrongly", "throws"], "4 !== 5"),
    ("node-spec-failing", "node", ["adds wrongly (t/node.test.js:6:3)",
                                   "throws (t/node.test.js:9:26)"], "4 !== 5"),
])
def test_each_runner_gives_its_counts_and_failing_tests(name, runner, names, says):
    text = sample(name)

    # jest and vitest also count the failed test file (`Test Suites:`, `Test Files`)
    assert parse_counts(text) == TestCounts(2, 2, runner, int(runner in ("jest", "vitest")))
    found = failed_tests(text)
    assert found is not None and [f.name for f in found] == names
    assert says in found[0].output and "boom here" in found[1].output
    assert "\x1b[" not in found[0].output  # colours stripped
    assert "✓ math" not in "".join(f.output for f in found)  # passing tests left out


def test_a_node_test_file_that_cannot_load_keeps_its_import_error():
    found = failed_tests(sample("node-tap-file-failing"))

    assert found is not None and len(found) == 1
    assert "ERR_MODULE_NOT_FOUND" in found[0].output and "src/missing" in found[0].output
    assert found[0].output.splitlines()[-1] == "  ..."  # up to the end of its YAML block


def test_a_suite_failing_because_of_its_tests_is_not_a_failure_of_its_own():
    found = failed_tests(sample("node-tap-failing"))
    assert found is not None and "math" not in [f.name for f in found]


def test_pytest_output_has_no_js_failures():
    pytest_output = "FAILED tests/test_a.py::test_x - assert 1 == 2\n1 failed, 2 passed in 0.1s\n"
    assert failed_tests(pytest_output) is None
    assert failure_report(pytest_output) is None


def test_the_report_bounds_each_failure_and_their_number():
    many = "TAP version 13\n" + "".join(
        f"# Subtest: t{n}\nnot ok {n} - t{n}\n  ---\n  error: |-\n{'    x' * 600}\n  ...\n"
        for n in range(1, MAX_BLOCKS + 3))

    report = failure_report(many)

    assert report is not None and report.startswith(f"{MAX_BLOCKS + 2} failing test(s):")
    assert report.count("[… cut …]") == MAX_BLOCKS
    assert "[… 2 more failing test(s) …]" in report
    assert len(report) < MAX_BLOCKS * (BLOCK_CHARS + 50)


def test_the_test_gate_sends_the_failing_test_first(tmp_path):
    """A real `npm test` running node's runner (no dependencies), sandboxed: many passing
    tests after the failing one would push it out of a plain tail."""
    passing = "".join(f'test("passes {n}", () => assert.equal({n}, {n}));\n' for n in range(80))
    (tmp_path / "package.json").write_text(json.dumps(
        {"name": "p", "scripts": {"test": "node --test math.test.js"}}))
    (tmp_path / "math.test.js").write_text(
        'const assert = require("node:assert");\nconst { test } = require("node:test");\n'
        'test("adds wrongly", () => assert.strictEqual(2 + 2, 5));\n' + passing)
    ctx = GateContext(root=tmp_path, settings=Settings(), changed_files=("math.test.js",),
                      diff_text="", branch="work", default_branch="main", phase="implement")

    result = TestGate().run(ctx)

    assert not result.passed
    assert result.summary == "1 failed, 80 passed; `npm test --silent` exited with 1"
    assert (result.failed_tests, result.passed_tests) == (1, 80)
    told = result.output_tail
    assert told.startswith("$ npm test --silent\n1 failing test(s):\n\nnot ok 1 - adds wrongly")
    assert "4 !== 5" in told and told.rstrip().endswith("[exit 1]")
    assert "# pass 80" in told  # the runner's own summary stays, after the failures
