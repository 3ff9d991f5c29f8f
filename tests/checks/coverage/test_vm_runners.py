"""vitest and jest packages (tests/fixtures/node/vitest-service, jest-service): the test gate's
one measured run asks the runner itself for istanbul JSON coverage, and the coverage analyzer
reads that run for the new exported functions — real `npm ci`'d runners, sandboxed; without
@vitest/coverage-v8 the run stays plain and the new exports are noted unchecked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewloop.checks.coverage.check import coverage_findings, new_code_coverage
from reviewloop.checks.coverage.measure import suites_started
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import project_tests
from reviewloop.checks.gates.test import TestGate
from reviewloop.config import Settings
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.npm_fixture import FIXTURES, project
from tests.support.repos import commit, init_repo

pytestmark = pytest.mark.npm

PRICES = """export function total(prices: number[]): number {
  return prices.reduce((sum, price) => sum + price, 0);
}

export function withVat(price: number, rate: number): number {
  const vat = price * rate;
  return price + vat;
}

export const discount = (price: number, rate: number): number => {
  return price * (1 - rate);
};
"""
PRICES_JS = """export function total(prices) {
  return prices.reduce((sum, price) => sum + price, 0);
}

export function withVat(price, rate) {
  const vat = price * rate;
  return price + vat;
}

export const discount = (price, rate) => {
  return price * (1 - rate);
};

export const one = () => 1;
"""
PRICES_TEST = """import { describe, expect, it } from "vitest";
import { total, withVat } from "../src/prices";

describe("total", () => {
  it("adds the prices", () => {
    expect(total([1, 2, 3])).toBe(6);
  });
});

describe("withVat", () => {
  it("adds the tax", () => {
    expect(withVat(100, 0.2)).toBe(120);
  });
});
"""


def changed(tmp_path: Path, *, provider: bool = True, fixture: str = "vitest-service",
            suffix: str = "ts", base: dict[str, str] | None = None) -> tuple[Path, str]:
    """The fixture committed (with the `base` files over it), then new exports and a test of
    one of them."""
    root = project(fixture, into=tmp_path / "repo")
    if not provider:
        shutil.rmtree(root / "node_modules/@vitest/coverage-v8")  # the copy's links only
    commit(init_repo(root), base, "start")
    git(root, "switch", "-qc", "work")
    if suffix == "js":  # jest's globals need no import
        (root / "src/prices.js").write_text(PRICES_JS)
        (root / "test/prices.test.js").write_text(PRICES_TEST.split("\n", 1)[1])
    else:
        (root / "src/prices.ts").write_text(PRICES)
        (root / "test/prices.test.ts").write_text(PRICES_TEST)
    return root, git(root, "diff")


def run_test_gate(root: Path, diff: str, settings: Settings):
    ctx = GateContext(root=root, settings=settings,
                      changed_files=tuple(f.path for f in parse_diff(diff).files),
                      diff_text=diff, branch="work", default_branch="main", phase="implement")
    return TestGate().run(ctx)


def test_the_gates_run_asks_vitest_for_coverage_and_the_untested_export_is_flagged(tmp_path):
    root, diff = changed(tmp_path, provider=True)
    settings = Settings()  # `npm test --silent` detected from package.json
    measured = suites_started()

    gate = run_test_gate(root, diff, settings)
    check = new_code_coverage(root, parse_diff(diff), project_tests(settings))

    # the project's `thresholds: { 100: true }` (vitest.config.ts) do not fail the measured run
    assert gate.passed and (gate.passed_tests, gate.failed_tests) == (2, 0), gate.output_tail
    assert "Coverage enabled with" in gate.output_tail
    assert suites_started() - measured == 1  # the analyzer read the gate's run
    assert check.commands == ("npm test --silent",) and not check.tests_failed
    assert [s.qualname for s in check.functions] == ["withVat", "discount"]
    assert [(f.file, f.start_line, f.end_line, f.title) for f in coverage_findings(check)] == [
        ("src/prices.ts", 10, 12, "Public function discount is not executed by any test")]
    # the report went to a folder outside the tree: nothing left behind
    assert git(root, "status", "--porcelain", "--ignored").splitlines() == [
        " M src/prices.ts", " M test/prices.test.ts", "!! node_modules/"]


def test_without_the_coverage_provider_the_run_stays_plain_and_exports_are_noted(tmp_path):
    root, diff = changed(tmp_path, provider=False)
    settings = Settings()
    measured = suites_started()

    gate = run_test_gate(root, diff, settings)
    check = new_code_coverage(root, parse_diff(diff), project_tests(settings))

    assert gate.passed and gate.passed_tests == 2, gate.output_tail
    assert "Coverage enabled" not in gate.output_tail  # vitest was never asked (nor prompted)
    assert suites_started() == measured
    assert not check.checked and check.untested == ()
    assert check.notes == ("javascript: 2 function(s) not checked (src/prices.ts: withVat, "
                           "discount): the tests run under vitest "
                           "without @vitest/coverage-v8: install @vitest/coverage-v8 to have "
                           "new exports checked",)


def test_jest_is_asked_for_its_coverage_the_same_way(tmp_path):
    """Plain JavaScript through babel-jest; the project's 100% coverageThreshold is set aside."""
    root, diff = changed(tmp_path, fixture="jest-service", suffix="js")
    settings = Settings()
    measured = suites_started()

    gate = run_test_gate(root, diff, settings)
    check = new_code_coverage(root, parse_diff(diff), project_tests(settings))

    assert gate.passed and (gate.passed_tests, gate.failed_tests) == (2, 0), gate.output_tail
    assert suites_started() - measured == 1
    assert [s.qualname for s in check.functions] == ["withVat", "discount", "one"]
    assert [(f.file, f.start_line, f.end_line) for f in coverage_findings(check)] == [
        ("src/prices.js", 10, 12), ("src/prices.js", 14, 14)]
    assert "!! coverage/" not in git(root, "status", "--porcelain", "--ignored")


TAX = "export function vat(price: number): number {\n  return price * 0.2;\n}\n"
VITEST_INCLUDE = """import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { coverage: { include: ["src/prices.ts"] } },
});
"""


def test_a_file_vitests_coverage_include_leaves_out_is_noted_unchecked_not_untested(tmp_path):
    root, _ = changed(tmp_path, base={"vitest.config.ts": VITEST_INCLUDE})
    (root / "src/tax.ts").write_text(TAX)  # no test runs it, and the report never lists it
    git(root, "add", "-N", "src/tax.ts")
    diff = git(root, "diff")

    check = new_code_coverage(root, parse_diff(diff), project_tests(Settings()))

    assert check.checked and [s.qualname for s in check.functions] == \
        ["withVat", "discount", "vat"]
    assert [s.qualname for s in check.untested] == ["discount"]  # measured, and never run
    assert check.notes == (
        "javascript: 1 function(s) in src/tax.ts not checked (vat): the test runner's "
        "coverage report leaves the file out (its coverage `include`/`exclude` or "
        "`collectCoverageFrom`, or no test loaded it)",)


def test_a_file_jests_collect_coverage_from_leaves_out_is_noted_unchecked(tmp_path):
    manifest = json.loads((FIXTURES / "jest-service/package.json").read_text())
    manifest["jest"]["collectCoverageFrom"] = ["src/prices.js"]
    root, _ = changed(tmp_path, fixture="jest-service", suffix="js",
                      base={"package.json": json.dumps(manifest, indent=2)})
    (root / "src/tax.js").write_text("export function vat(price) {\n  return price * 0.2;\n}\n")
    (root / "test/tax.test.js").write_text(
        'import { vat } from "../src/tax";\n\ntest("vat", () => expect(vat(10)).toBe(2));\n')
    git(root, "add", "-N", "src/tax.js", "test/tax.test.js")
    diff = git(root, "diff")

    check = new_code_coverage(root, parse_diff(diff), project_tests(Settings()))

    # run by a test, but outside what jest measures: neither untested nor tested
    assert [s.qualname for s in check.untested] == ["discount", "one"]
    assert check.notes == (
        "javascript: 1 function(s) in src/tax.js not checked (vat): the test runner's "
        "coverage report leaves the file out (its coverage `include`/`exclude` or "
        "`collectCoverageFrom`, or no test loaded it)",)


def test_vitests_own_junit_report_names_the_test_a_change_breaks(tmp_path):
    """The measured run asks vitest for its JUnit report too: the failed test is named from
    it (`coverage.junit`), not from the printed summary."""
    from reviewloop.checks.coverage.measure import covered_run
    from reviewloop.sandbox.bubblewrap import Sandbox

    root, _ = changed(tmp_path, provider=True)
    (root / "src/prices.ts").write_text(PRICES.replace("sum + price", "sum - price"))
    run = covered_run(root, "npm test --silent", 300, sandbox=Sandbox())
    assert run.run.exit_code != 0
    assert run.failed_tests is not None
    assert [t.id for t in run.failed_tests] == ["test/prices.test.ts > total > adds the prices"]


def test_jests_own_json_results_name_the_test_a_change_breaks(tmp_path):
    """jest, with no JUnit reporter installed, is asked for its results as JSON: the failed
    test is named from them, not from the printed summary."""
    from reviewloop.checks.coverage.measure import covered_run
    from reviewloop.sandbox.bubblewrap import Sandbox

    root, _ = changed(tmp_path, fixture="jest-service", suffix="js")
    (root / "src/prices.js").write_text(PRICES_JS.replace("sum + price", "sum - price"))
    run = covered_run(root, "npm test --silent", 300, sandbox=Sandbox())
    assert run.run.exit_code != 0
    assert run.failed_tests is not None
    assert [(t.id, t.file) for t in run.failed_tests] == [
        ("test/prices.test.js > total > adds the prices", "test/prices.test.js")]
    assert "Expected" in run.failed_tests[0].message
