"""The new-code coverage gate, and which test command the test gate runs under coverage.

The gate is off unless `gates.coverage = "strict"`; in the default "report" mode the same
check runs as the test-quality reviewer's analyzer and yields findings instead of a failure.
In a review (`reviewloop review`) the tests run only when asked: `--tests` or
`[review] run_tests = true`. Either way the check reads the coverage data of the test
gate's own run when that ran on the same tree (`covered_commands` decides which commands the
test gate measures), so the suite runs once per tree state.
"""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.analyzers.base import module_missing
from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import project_tests
from reviewloop.git.diff import ChangeSet


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
        from reviewloop.checks.coverage.check import coverage_gate_result

        return coverage_gate_result(ctx.root, ctx.changes, tests, strict=True)


def judges_functions(root: Path, changes: ChangeSet) -> bool:
    """Whether `changes` adds or changes a public function the gate judges (`changed_functions`,
    the rule the gate measures by): with no threshold, a change without one is skipped."""
    from reviewloop.checks.coverage.check import changed_functions

    return bool(changed_functions(root, changes))


def covered_commands(ctx: GateContext) -> tuple[str, ...]:
    """The test commands the test gate should run under coverage, because the coverage
    analyzer or gate will need their data for this tree: each language's test command
    (`collectors.py`) when the change adds or edits one of its public functions — for
    Python only when coverage.py can be read here, and with a coverage threshold for any
    executable Python line. Empty: run every test command plainly."""
    tests = project_tests(ctx.settings)
    if tests is None or not ctx.diff_text.strip():
        return ()
    from reviewloop.checks.coverage.check import changed_functions
    from reviewloop.checks.coverage.collectors import COLLECTORS
    from reviewloop.checks.coverage.lines import changed_line_coverage

    changes = ctx.changes
    wanted = set(changed_functions(ctx.root, changes))  # as `judges_functions`, by language
    if tests.threshold is not None and changed_line_coverage(ctx.root, changes, {}).total:
        wanted.add("python")  # a threshold measures every changed line, in a function or not
    if "python" in wanted and module_missing("coverage", "") is not None:
        wanted.discard("python")
    commands = [c for language in sorted(wanted) if (collector := COLLECTORS.get(language))
                and collector.unavailable(ctx.root, tests.command) is None
                and (c := collector.command(ctx.root, tests.command)) is not None]
    return tuple(dict.fromkeys(commands))
