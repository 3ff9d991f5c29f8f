"""The new-code coverage gate: public functions the change adds that no test executes.

Off unless `gates.coverage = "strict"`; in the default "report" mode the same check runs
as the test-quality reviewer's analyzer and yields findings instead of a failure.
"""

from __future__ import annotations

from reviewloop.checks.gates.base import GateContext, GateResult


class CoverageGate:
    name = "coverage"

    def applies(self, ctx: GateContext) -> bool:
        return ctx.settings.gates.coverage == "strict" and bool(ctx.diff_text.strip())

    def run(self, ctx: GateContext) -> GateResult:
        from reviewloop.checks.coverage.analyzer import (
            coverage_gate_result,  # it imports guardrails
        )
        from reviewloop.checks.gates.detect import gate_commands

        tests = gate_commands(ctx.root, ctx.settings.gates).test
        return coverage_gate_result(ctx.root, ctx.diff_text, strict=True,
                                    test_command=tests[0] if tests else None,
                                    timeout=ctx.settings.gates.timeout_seconds)
