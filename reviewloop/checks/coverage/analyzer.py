"""The `coverage` analyzer and gate: public functions the change adds or edits that no test runs.

The project's test command runs as configured (or detected) under coverage.py inside the
sandbox (`reviewloop.checks.coverage.measure`), and only when the caller passes `ProjectTests`
(a review does only with `--tests` or `[review] run_tests = true`). It runs once per tree
state: when the test gate has just run it on the same tree, its data are read instead. Each
new or changed public function (`reviewloop.checks.coverage.newcode`) whose body no test
executed becomes a should_fix finding for the test-quality reviewer — and, through
`coverage_gate_result`, a gate failure when the gate is strict.

A language joins with a `FunctionFinder` in `reviewloop.checks.coverage.newcode` and a
`Collector` in `collectors.py`, keyed by the same language name: Python (pytest, coverage.py)
and JavaScript/TypeScript (the package's test script, V8 coverage — or vitest's or jest's own).

This module is the analyzer as the analyzer table sees it; the check itself (measuring, the
findings, the gate's result) is `reviewloop.checks.coverage.check`, loaded when the tests run.
"""

from __future__ import annotations

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerSkipped, module_missing
from reviewloop.checks.coverage.rules import NAME
from reviewloop.findings.schema import Finding

INSTALL = "pip install coverage"
NOT_RUN = ("the project's tests were not run, so new-code coverage was not checked "
           "(`reviewloop review --tests` or `[review] run_tests = true` runs them, sandboxed)")


class NewCodeCoverage:
    """The `coverage` analyzer for the test-quality reviewer."""

    name = NAME
    markers = ()  # reads no file's markers: its tool is reviewloop's own
    config_files = ()  # .coveragerc, .nycrc, …: executed levers (`policy.lever_files`)

    def available(self) -> str | None:
        return module_missing("coverage", INSTALL)

    max_bytes = 0  # reads no file as a linter does

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """None: it measures the change as a whole (an app synthesized, the tests run, the
        test files changed), it does not lint files; the coverage matrix leaves it out."""
        return []

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        if ctx.tests is None:
            raise AnalyzerSkipped(NOT_RUN)
        from reviewloop.checks.analyzers.test_files import runner_tests
        from reviewloop.checks.coverage.check import coverage_findings, new_code_coverage

        check = new_code_coverage(ctx.root, ctx.changes, ctx.tests, files=ctx.files,
                                  is_test=runner_tests(ctx))
        if not check.checked and check.notes:  # no test command measured them: say so
            raise AnalyzerSkipped("no test run measured the new public functions: "
                                  + "; ".join(check.notes))
        for note in check.notes:  # some measured, these not: the row says which
            ctx.remark(note)
        return coverage_findings(check, agent=ctx.agent)
