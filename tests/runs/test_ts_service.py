"""The whole loop on the TypeScript fixture service (tests/fixtures/node/ts-service): real
`npm ci`'d dependencies in the checkout only, the run in its worktree under
`.reviewloop/worktrees/` (no node_modules of its own), real `tsc --noEmit` and node's test
runner through tsx, sandboxed, and scripted models.

The implementer's first change fails the type check and a test, and both outputs reach its
next attempt; its untested new exported function is flagged by the coverage analyzer on its
lines, in the test-quality reviewer's prompt; the fixer adds a test for it in the test file,
and the fix-only re-review re-runs the coverage analyzer on the function's own file (which
the fix did not touch) and closes the finding.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from reviewloop.checks.coverage.measure import suites_started
from reviewloop.checks.gates.commands import project_tests
from reviewloop.config import Settings
from reviewloop.implement.implementer import Implementer
from reviewloop.review.evidence import analyze
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec.loader import load_spec
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.gitutil import git
from tests.support.npm_fixture import project
from tests.support.repos import branch_repo
from tests.support.runner import FIXER, IMPLEMENTER, ran, review, round_one

pytestmark = pytest.mark.npm

SPEC = """# Implementation Plan

- [ ] 1. Add discounts and surcharges
  - `discount(cents, percent)` and `surcharge(cents, percent)` in src/discount.ts
"""
DISCOUNT = """/** Discounts and surcharges on prices in cents. */

export function discount(cents: number, percent: number): number {
  return Math.round(cents * (1 - percent / 100));
}

export function surcharge(cents: number, percent: number): number {
  return Math.round(cents * (1 + percent / 100));
}

export function applyRule(cents: number, rule: string): number {
  return new Function("cents", `return ${rule};`)(cents) as number;
}
"""
UNSAFE = 'new Function("cents", `return ${rule};`)(cents) as number'
FIXED = DISCOUNT.replace(UNSAFE, "discount(cents, Number(rule))")
# The first attempt: the discount itself instead of the price, and a label typed as a number.
FIRST = DISCOUNT.replace("cents * (1 - percent / 100)", "cents * percent / 100") + \
    'export const label: number = "sale";\n'
DISCOUNT_TEST = """import assert from "node:assert/strict";
import { test } from "node:test";

import { applyRule, discount } from "../src/discount";

test("discount takes the percentage off the price", () => {
  assert.equal(discount(1000, 15), 850);
});

test("a rule prices the cents", () => {
  assert.equal(applyRule(1000, "cents * 0.85"), 850);
});
"""
# The fixer's test file: the rule is a percentage now, and surcharge is tested.
SURCHARGE_TEST = DISCOUNT_TEST.replace("{ applyRule, discount }", "{ applyRule, discount, "
                                       "surcharge }").replace('"cents * 0.85"', '"15"') + """
test("surcharge adds the percentage to the price", () => {
  assert.equal(surcharge(1000, 15), 1150);
});
"""


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return branch_repo(project("ts-service", into=tmp_path / "repo"),
                       {".kiro/specs/prices/tasks.md": SPEC}, branch="work", base_message="start")


@pytest.mark.long(seconds=33)
def test_a_failing_test_goes_back_and_eslint_and_coverage_findings_are_fixed_and_closed(
        service: Path, eslint_tools: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "src/discount.ts", "content": FIRST}),
        tool_call("write_file", {"path": "test/discount.test.ts", "content": DISCOUNT_TEST}),
        "wrote discount and surcharge",
        tool_call("write_file", {"path": "src/discount.ts", "content": DISCOUNT}),
        "fixed the discount and the label",
    ])
    round_one(model)  # the models find nothing: the evidence is the analyzers'
    model.script("agents: ", [review()])  # the re-review: the re-reviewers in one call
    model.script(FIXER, [
        tool_call("write_file", {"path": "src/discount.ts", "content": FIXED}),
        tool_call("write_file", {"path": "test/discount.test.ts", "content": SURCHARGE_TEST}),
        "no code from strings; tested surcharge",
    ])
    # build and test detected from package.json; a review, a fix and its re-review
    settings = Settings(model="scripted", max_rounds=2)
    run = LoopRunner(service, settings, lambda name: model,
                     analyze=partial(analyze, tests=project_tests(settings)))
    spec = load_spec(service, service / ".kiro/specs/prices/tasks.md")

    measured = suites_started()

    result = run.start(spec.task("1"), service / ".kiro/specs/prices/tasks.md",
                       Implementer.parse("llm"))

    asked = [message_text(m) for h in model.history for m in h]
    told = next(t for t in asked if "The guard-rails failed" in t)
    assert "## test gate: 1 failed, 6 passed" in told
    assert "1 failing test(s):" in told and "not ok 1 - discount takes the percentage off " \
        "the price" in told
    assert "150 !== 850" in told  # node's assertion message, from inside the sandbox
    # tsc --noEmit on the worktree, with the checkout's typescript and @types/node
    assert "## build gate: `npx --no -- tsc --noEmit` exited with 2" in told
    assert "src/discount.ts(14,14): error TS2322: Type 'string' is not assignable to type " \
        "'number'." in told

    quality = next("\n".join(message_text(m) for m in h) for h in model.history
                   if "## review-test-quality\n" in message_text(h[0]))  # round 1's call
    assert "should_fix src/discount.ts:7-9 Public function surcharge is not executed by any " \
        "test" in quality  # the coverage analyzer's evidence
    security = next("\n".join(message_text(m) for m in h) for h in model.history
                    if "## review-security\n" in message_text(h[0]))
    assert "must_fix src/discount.ts:12" in security  # real ESLint's evidence
    # one measured `npm test` per attempt and one after the fix; the analyzer read them
    assert suites_started() - measured == 3
    fixer = next("\n".join(message_text(m) for m in h) for h in model.history
                 if FIXER in message_text(h[0]))
    assert "surcharge is not executed by any test" in fixer and "no-new-func" in fixer

    assert result.status == "awaiting_approval", result.summary
    fixed = {f.source: (f.rule, f.file, f.start_line, f.end_line)
             for f in ran(result).findings_fixed}
    assert fixed == {"coverage": ("untested-public-function", "src/discount.ts", 7, 9),
                     "eslint-security": ("no-new-func", "src/discount.ts", 12, 12),
                     # typescript-eslint's type-aware rules (the fixture has a tsconfig):
                     # the `Function` the constructor returns is called untyped
                     "eslint-maintainability": ("@typescript-eslint/no-unsafe-call",
                                                "src/discount.ts", 12, 12)}
    assert not ran(result).findings_remaining
    assert result.summary.passed_tests == 8
    assert not (service / ".reviewloop/worktrees" / result.run_id / "node_modules").exists()
    assert git(service, "status", "--porcelain") == ""  # nothing written into the checkout
