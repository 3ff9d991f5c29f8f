"""The test gate: every test command passes, with the passing and failing counts it printed.

When the coverage analyzer or gate will need coverage data for this tree, the project's
pytest (or Node package's) test command runs under coverage (unchanged, sandboxed;
`reviewloop.checks.coverage.measure`) and they read that run instead of running the suite a
second time.

With no test command configured or detected the gate is skipped; when the change adds or
edits tests a runner would collect it passes as not verified, naming them and the fix
(`gates.not_run`): the run goes on, and its verdict says the tests were not run.

pytest exits 5 when it collects no tests. That passes ("no tests collected") unless the
change touches test files: then the new tests were not picked up, which is a failure. The
same holds for any runner that exits 0 having run no test, and a change adding a test
file with commands that report no test count is not verified (`gates.verified`). Test files
are named by the project's pytest `python_files`/`testpaths` too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

from reviewloop.checks.coverage.gate import covered_commands
from reviewloop.checks.coverage.measure import covered_run
from reviewloop.checks.gates.base import GateContext, GateResult, tail
from reviewloop.checks.gates.commands import (
    CommandOutcome,
    exit_summary,
    missing_program,
    run_shell,
    shim_without_version,
    transcript,
)
from reviewloop.checks.gates.counts import TestCounts, parse_counts
from reviewloop.checks.gates.detect import gate_commands
from reviewloop.checks.gates.failures import failure_report
from reviewloop.checks.gates.not_run import not_run
from reviewloop.checks.gates.verified import change_tests, unverified
from reviewloop.sandbox.bubblewrap import Sandbox

PYTEST_NO_TESTS = 5
REPORT_TAIL = 600  # the runner's own summary, after its failing tests


class TestGate:
    __test__ = False  # not a pytest test class, despite the name

    name = "test"

    def applies(self, ctx: GateContext) -> bool:
        return True

    def run(self, ctx: GateContext) -> GateResult:
        detected = gate_commands(ctx.root, ctx.settings.gates)
        if not detected.test:
            return not_run(ctx, detected.reason)
        started = time.monotonic()
        timeout = ctx.settings.gates.timeout_seconds
        sandbox = Sandbox.from_settings(ctx.settings)
        measured = covered_commands(ctx)
        outcomes = [CommandOutcome(command, covered_run(ctx.root, command, timeout,
                                                        sandbox=sandbox).run
                                   if command in measured else
                                   run_shell(command, ctx.root, timeout, sandbox=sandbox))
                    for command in detected.test]
        counts = _total(parse_counts(o.run.output) for o in outcomes)
        is_test = change_tests(ctx)
        failures = [f for o in outcomes
                    if (f := _failure(o, ctx.changed_files, timeout, is_test)) is not None]
        if not failures and (reason := unverified(ctx, outcomes, is_test)) is not None:
            failures.append(reason)
        return GateResult(
            name=self.name, passed=not failures,
            summary=_summary(failures, counts, outcomes),
            output_tail=transcript([_told(o) for o in outcomes]),
            duration_s=time.monotonic() - started,
            passed_tests=counts.passed if counts else None,
            failed_tests=counts.failed if counts else None,
            missing_tool=_missing(outcomes, failures),
            user_fix=next((fix for o in outcomes if (fix := shim_without_version(o.run))),
                          None) if failures else None)


def _told(outcome: CommandOutcome) -> CommandOutcome:
    """What a failing JS runner printed, with its failing tests first: they may stand far
    above the tail that goes back to the implementer (pytest's are right above its summary)."""
    command, run = outcome
    report = failure_report(run.output) if run.exit_code != 0 else None
    if report is None:
        return outcome
    summary = tail(run.output, REPORT_TAIL)
    return CommandOutcome(command, run._replace(
        output=f"{report}\n[… the end of the output …]\n{summary}"))


def _failure(outcome: CommandOutcome, changed: Sequence[str], timeout: int,
             is_test: Callable[[str], bool]) -> str | None:
    """Why this command fails the gate, or None when it passes."""
    command, run = outcome
    if run.timed_out:
        return f"`{command}` timed out after {timeout}s"
    if run.exit_code == 0:
        return None
    if _no_tests_collected(outcome):
        tests = [p for p in changed if is_test(p)]
        if not tests:
            return None
        return f"`{command}` collected no tests although the change touches {tests[0]}"
    return exit_summary(command, run)


def _no_tests_collected(outcome: CommandOutcome) -> bool:
    return outcome.run.exit_code == PYTEST_NO_TESTS and "no tests ran" in outcome.run.output


def _missing(outcomes: Sequence[CommandOutcome], failures: list[str]) -> str | None:
    """The program not installed here, when that is every reason the gate fails."""
    missing = [missing_program(o.command, o.run) for o in outcomes]
    found = [m for m in missing if m]
    return found[0] if found and len(found) == len(failures) else None


def _total(counts: Iterable[TestCounts | None]) -> TestCounts | None:
    known = [c for c in counts if c is not None]
    if not known:
        return None
    total = known[0]
    for more in known[1:]:
        total = total + more
    return total


def _summary(failures: list[str], counts: TestCounts | None,
             outcomes: Sequence[CommandOutcome]) -> str:
    tally = f"{counts.failed} failed, {counts.passed} passed" if counts else ""
    if failures:
        return "; ".join(([tally] if tally else []) + failures)
    if counts and counts.passed == 0 and counts.failed == 0 and \
            any(_no_tests_collected(o) for o in outcomes):
        return "no tests collected"
    if counts and (counts.failed or counts.failed_files):  # `pytest || true`, `make -i`
        return (f"{counts.passed} passed; the output reports {_hidden(counts)}, but "
                "the command exited 0, which passes the gate: "
                + ", ".join(f"`{o.command}`" for o in outcomes))
    if counts:
        return f"{counts.passed} passed"
    return "passed (no test count reported): " + ", ".join(f"`{o.command}`" for o in outcomes)


def _hidden(counts: TestCounts) -> str:
    """The failures a zero exit passed: failed tests, and the test files jest or vitest
    counts as failed (one that fails to load has no test counted failed)."""
    files = counts.failed_files
    said = [f"{counts.failed} failed"] if counts.failed else []
    if files:
        said.append(f"{files} failed test file{'s' * (files != 1)}")
    return " and ".join(said)
