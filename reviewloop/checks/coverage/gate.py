"""The new-code coverage gate: public functions the change adds that no test executes.

Off unless `gates.coverage = "strict"`; in the default "report" mode the same check runs
as the test-quality reviewer's analyzer and yields findings instead of a failure. In a
review (`reviewloop review`) the tests run only when asked: `--tests` or
`[review] run_tests = true`.
"""

from __future__ import annotations

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import project_tests


class CoverageGate:
    name = "coverage"

    def applies(self, ctx: GateContext) -> bool:
        asked = ctx.phase != "review" or ctx.settings.review.run_tests
        return ctx.settings.gates.coverage == "strict" and bool(ctx.diff_text.strip()) \
            and asked

    def run(self, ctx: GateContext) -> GateResult:
        from reviewloop.checks.coverage.analyzer import (
            coverage_gate_result,  # it imports guardrails
        )

        tests = project_tests(ctx.settings)
        if tests is None:
            return GateResult.skip(self.name, "gates.test = [] turns the tests off")
        return coverage_gate_result(ctx.root, ctx.diff_text, tests, strict=True)
