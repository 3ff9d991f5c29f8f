"""The new-code coverage gate, and which test command the test gate runs under coverage.

The gate is off unless `gates.coverage = "strict"`; in the default "report" mode the same
check runs as the test-quality reviewer's analyzer and yields findings instead of a failure.
In a review (`reviewloop review`) the tests run only when asked: `--tests` or
`[review] run_tests = true`. Either way the check reads the coverage data of the test
gate's own run when that ran on the same tree (`covered_command` decides which command the
test gate measures), so the suite runs once per tree state.
"""

from __future__ import annotations

from reviewloop.checks.analyzers.base import module_missing
from reviewloop.checks.coverage.analyzer import (
    changed_functions,
    coverage_gate_result,
    pytest_command,
)
from reviewloop.checks.coverage.lines import changed_line_coverage
from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import project_tests
from reviewloop.git.diff import parse_diff


class CoverageGate:
    name = "coverage"

    def applies(self, ctx: GateContext) -> bool:
        asked = ctx.phase != "review" or ctx.settings.review.run_tests
        return ctx.settings.gates.coverage == "strict" and bool(ctx.diff_text.strip()) \
            and asked

    def run(self, ctx: GateContext) -> GateResult:
        tests = project_tests(ctx.settings)
        if tests is None:
            return GateResult.skip(self.name, "gates.test = [] turns the tests off")
        return coverage_gate_result(ctx.root, ctx.diff_text, tests, strict=True)


def covered_command(ctx: GateContext) -> str | None:
    """The test command the test gate should run under coverage, because the coverage
    analyzer or gate will need its data for this tree: the project's pytest command, when
    coverage.py can be read here and the change adds or edits a public Python function (or,
    with a coverage threshold, any executable Python line). None: run every test command
    plainly."""
    tests = project_tests(ctx.settings)
    if tests is None or not ctx.diff_text.strip() or module_missing("coverage", "") is not None:
        return None
    command = pytest_command(ctx.root, tests.command)
    if command is None:
        return None
    changes = parse_diff(ctx.diff_text, source="test gate")
    if changed_functions(ctx.root, changes).get("python"):
        return command
    # a coverage threshold measures every changed line, in a public function or not
    lines = tests.threshold is not None and changed_line_coverage(ctx.root, changes, {}).total
    return command if lines else None
