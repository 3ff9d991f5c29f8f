"""jest's `Test Suites:` and vitest's `Test Files` counts (rev12 D1): a test file that fails as
a whole (a syntax error, an import that throws or is missing, an empty file) is counted there,
never as a failed test. Over a fixed-seed product of such files, the real runner behind
`|| true` (sandboxed, as the test gate runs it): the counts read from its console output are
the ones its own JSON report gives, and the gate, which the zero exit passes, says on its line
what failed."""

from __future__ import annotations

import json
import random
import shlex
from itertools import combinations
from pathlib import Path

import pytest

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.counts import TestCounts, parse_counts
from reviewloop.checks.gates.test import TestGate
from reviewloop.config import Gates, Settings
from tests.support.npm_fixture import FIXTURES, installed

pytestmark = pytest.mark.npm

# each kind of test file, as jest (globals) and vitest (ES module importing vitest) spell it
KINDS = {
    "ok": 'test("ok", () => { expect(1).toBe(1); });',
    "failing": 'test("bad", () => { expect(1).toBe(2); });',
    "syntax": 'test("x", () => { expect(1).toBe(1) ',
    "throw": 'throw new Error("module init fails");\ntest("x", () => {});',
    "missing": 'require("./no-such-module");\ntest("x", () => {});',
    "hook": 'beforeAll(() => { throw new Error("setup"); });\ntest("x", () => {});',
    "empty": "// no tests yet",
}
VITEST_IMPORT = 'import { beforeAll, expect, test } from "vitest";\n'
BROKEN = ("syntax", "throw", "missing", "hook", "empty")
# every broken kind beside a passing file, and a fixed-seed sample of broken pairs with or
# without a failing test
VARIANTS = [("ok", kind) for kind in BROKEN] + random.Random(12).sample(
    [(*pair, *extra) for pair in combinations(BROKEN, 2) for extra in ((), ("failing",))], 4)


def _command(runner: str, modules: Path) -> str:
    if runner == "jest":
        return (f"node {shlex.quote(str(modules / 'jest/bin/jest.js'))} --ci --json "
                "--outputFile=report.json || true")
    return (f"node {shlex.quote(str(modules / 'vitest/vitest.mjs'))} run --reporter=default "
            "--reporter=json --outputFile=report.json || true")


def _package(root: Path, runner: str, kinds: tuple[str, ...], modules: Path) -> None:
    root.mkdir()
    manifest = {"name": "p", "version": "1.0.0", **({"type": "module"} if runner == "vitest"
                                                     else {})}
    (root / "package.json").write_text(json.dumps(manifest))
    for number, kind in enumerate(kinds):
        text = KINDS[kind]
        if runner == "vitest":
            text = VITEST_IMPORT + text.replace('require("./no-such-module");',
                                                'import "./no-such-module.js";')
        (root / f"t{number}_{kind}.test.js").write_text(text + "\n")
    if runner == "vitest":
        (root / "node_modules").symlink_to(modules)


def _reported(root: Path, runner: str) -> TestCounts:
    """The counts of the runner's own JSON report (vitest's per file: its suites also count
    `describe` blocks)."""
    report = json.loads((root / "report.json").read_text())
    files = report["numFailedTestSuites"] if runner == "jest" else \
        sum(r["status"] == "failed" for r in report["testResults"])
    return TestCounts(report["numPassedTests"], report["numFailedTests"], runner, files)


def _gate(root: Path, command: str, modules: Path) -> GateResult:
    settings = Settings(gates=Gates(test=(command,)), sandbox_read=(modules.resolve(),))
    return TestGate().run(GateContext(
        root=root, settings=settings, changed_files=(), diff_text="", branch="work",
        default_branch="main", phase="implement"))


@pytest.mark.parametrize("runner", ["jest", "vitest"])
@pytest.mark.parametrize("kinds", VARIANTS, ids="+".join)
def test_failed_test_files_are_read_and_said_though_a_zero_exit_passes(tmp_path, runner,
                                                                       kinds):
    modules = installed(FIXTURES / f"{runner}-service")
    root = tmp_path / "pkg"
    _package(root, runner, kinds, modules)
    command = _command(runner, modules)

    result = _gate(root, command, modules)
    reported = _reported(root, runner)
    counts = parse_counts(result.output_tail)

    assert reported.failed_files >= 1  # the oracle saw the broken file
    assert counts == reported, result.output_tail
    assert result.passed and (result.passed_tests, result.failed_tests) == \
        (reported.passed, reported.failed)
    hidden = [f"{reported.failed} failed"] if reported.failed else []
    files = reported.failed_files
    hidden.append(f"{files} failed test file{'s' * (files != 1)}")
    assert result.summary == (f"{reported.passed} passed; the output reports "
                              f"{' and '.join(hidden)}, but the command exited 0, which "
                              f"passes the gate: `{command}`")
