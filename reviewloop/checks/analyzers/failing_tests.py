"""The `failing-tests` analyzer: a change that breaks a passing test is a must-fix finding.

With the project's tests on (`review --tests`, `[review] run_tests = true`, and every task
run's review), the test command runs once on the changed tree — whatever runner it is:
one the coverage collectors do not measure (`python -m unittest`, `go test ./...`, `cargo
test`, `make test`) runs as it is and its exit code is read — the same sandboxed run the
coverage analyzer measures (`coverage.measure.covered_run`, shared) — and the runner's own
JUnit report (`coverage.junit`) names the tests that failed. Each failing test is then run
again on the base (the commit the change starts from): one that passes there is the
change's doing, 🔴 must_fix; one that fails there too was broken before, 🟡 should_fix, said
so. A run that failed without a JUnit report (jest without a JUnit reporter, a plain script),
or whose report names no failure although it exited non-zero (`vitest run && node check.js`),
is one 🔴 finding with the exit code and the output's tail: a red test run never reads as
"passing". The base is the pull request's base commit, or for a working change the commit
it is reviewed against (`review --base`, else HEAD).

A failing test sits anywhere, so each finding is file-level: on the failing test's file when
the change touched it, else on the first file the change touched.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerSkipped
from reviewloop.checks.coverage.analyzer import NOT_RUN
from reviewloop.checks.paths import looks_like_test
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import FileStatus

if TYPE_CHECKING:  # the runs' modules load when the tests run (not in a review without them)
    from reviewloop.checks.coverage.junit import FailedTest
    from reviewloop.checks.coverage.measure import CoveredRun
    from reviewloop.checks.gates.commands import ProjectTests

NAME = "failing-tests"
RULE = "test-fails"
TAIL_CHARS = 600


class FailingTests:
    name = NAME
    markers = ()  # reads no file's markers: its tool is reviewloop's own
    config_files = ()  # the test runner's settings are executed levers (`policy.lever_files`)
    max_bytes = 0  # reads no file as a linter does

    def available(self) -> str | None:
        return None

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """None: it runs the project's tests, it does not lint files."""
        return []

    def wants(self, ctx: AnalyzerContext) -> bool:
        """Any change can break a test: one that only deletes a module too."""
        return bool(ctx.changes.files)

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        if ctx.tests is None:
            raise AnalyzerSkipped(NOT_RUN)
        from reviewloop.checks.coverage.collectors import COLLECTORS
        from reviewloop.checks.coverage.measure import covered_run

        found: list[Finding] = []
        ran: set[str] = set()
        for collector in COLLECTORS.values():
            command = collector.command(ctx.root, ctx.tests.command)
            if command is None or collector.unavailable(ctx.root, ctx.tests.command):
                continue
            covered = covered_run(ctx.root, command, ctx.tests.timeout,
                                  sandbox=ctx.tests.sandbox)
            ran.add(command)
            found += _findings(covered, ctx, command)
        for command in _other_commands(ctx.root, ctx.tests.command, ran):
            covered = covered_run(ctx.root, command, ctx.tests.timeout,
                                  sandbox=ctx.tests.sandbox)
            found += _other_findings(covered, ctx, command)
        return found


def _other_commands(root: Path, configured: str | None, ran: set[str]) -> list[str]:
    """The test commands no collector ran (`unittest`, `go test`, `cargo test`, `make test`,
    `cd x && pytest`): the configured one whatever it is, else each detected one. They run
    all the same: a red suite is a finding whichever runner it is."""
    from reviewloop.checks.gates.detect import detect_commands

    commands = [configured] if configured is not None else list(detect_commands(root).test)
    return [c for c in commands if c not in ran]


def _other_findings(covered: CoveredRun, ctx: AnalyzerContext, command: str) -> list[Finding]:
    """A failing run of a command no collector measures: one 🔴 finding with its exit code
    (or its time-out) and its output's tail; its own JUnit report is not asked for."""
    run = covered.run
    if run.timed_out:
        return [_finding(ctx, None, Severity.MUST_FIX, f"`{command}` timed out after "
                         f"{ctx.tests.timeout if ctx.tests else 0:.0f}s:\n"
                         f"{run.output[-TAIL_CHARS:]}")]
    return _findings(covered, ctx, command)


def _findings(covered: CoveredRun, ctx: AnalyzerContext, command: str) -> list[Finding]:
    if covered.run.timed_out:
        return []  # the coverage analyzer reports the time-out as its failure
    if covered.failed_tests is None:
        if covered.run.exit_code in (0, 5):  # passed, or pytest collected nothing
            return []
        return [_finding(ctx, None, Severity.MUST_FIX, f"`{command}` failed (exit "
                         f"{covered.run.exit_code}) and wrote no JUnit report naming the "
                         f"failing tests:\n{covered.run.output[-TAIL_CHARS:]}")]
    failing = covered.failed_tests
    if not failing and covered.run.exit_code not in (0, 5):  # the report is not the run
        return [_finding(ctx, None, Severity.MUST_FIX, f"`{command}` failed (exit "
                         f"{covered.run.exit_code}) though its JUnit report names no failed "
                         f"test:\n{covered.run.output[-TAIL_CHARS:]}")]
    before = _failing_on_base(ctx, ctx.tests, command, failing) if failing and ctx.tests \
        else set()
    return [_finding(ctx, test, Severity.SHOULD_FIX if test.id in before else Severity.MUST_FIX,
                     _why(test, test.id in before)) for test in failing]


def _why(test: FailedTest, before: bool) -> str:
    said = f": {test.message}" if test.message else ""
    if before:
        return (f"{test.id} fails, and it fails on the base too: broken before this change "
                f"(the runner's JUnit report){said}")
    return f"{test.id} fails after this change (the runner's JUnit report){said}"


def _finding(ctx: AnalyzerContext, test: FailedTest | None, severity: Severity,
             rationale: str) -> Finding:
    where = _anchor(ctx, test.file if test else None)
    title = f"test fails: {test.id}" if test else "the test run failed"
    return Finding(severity=severity, file=where, start_line=1, end_line=1, level="file",
                   symbol=test.id if test else None, title=title[:120], rationale=rationale,
                   confidence=0.95, agent=ctx.agent, source=NAME, rule=RULE)


def _anchor(ctx: AnalyzerContext, test_file: str | None) -> str:
    """The failing test's file when the change touched it, else the first file it wrote to
    (else the first it deleted: a file-level finding on a deleted file is in the change)."""
    written = [f.path for f in ctx.changes.files if f.status is not FileStatus.DELETED]
    if test_file in written:
        return test_file
    touched = written or [f.path for f in ctx.changes.files]
    production = [p for p in touched if not looks_like_test(p)]
    return sorted(production or touched)[0]


def _failing_on_base(ctx: AnalyzerContext, tests: ProjectTests, command: str,
                     failing: Sequence[FailedTest]) -> set[str]:
    """Of `failing`, the pytest tests that fail on the base as well (empty when the base
    cannot be had, or the command is not pytest's)."""
    from reviewloop.checks.coverage.collectors import pytest_command
    from reviewloop.checks.coverage.measure import covered_run

    ids = [t.id for t in failing if t.file]
    if not ids or pytest_command(ctx.root, command) is None:
        return set()
    with tempfile.TemporaryDirectory(prefix="reviewloop-base-") as folder:
        base = _base_tree(ctx, tests, Path(folder) / "tree")
        if base is None:
            return set()
        rerun = covered_run(base, f"{command} {shlex.join(ids)}", tests.timeout,
                            sandbox=tests.sandbox)
        if rerun.failed_tests is None:
            return set()
        return {t.id for t in rerun.failed_tests}


def _base_tree(ctx: AnalyzerContext, tests: ProjectTests, dest: Path) -> Path | None:
    """The base's files in `dest`: the trusted base commit of a pull request's export, else
    the commit a working change at `ctx.root` is reviewed against (`review --base`, HEAD)."""
    from reviewloop.errors import ReviewloopError
    from reviewloop.git.repository import open_repository

    trust = ctx.trust
    source, rev = ((Path(trust.checkout), trust.base) if trust and trust.checkout and trust.base
                   else (ctx.root, tests.base or "HEAD"))
    try:
        dest.mkdir(parents=True)
        open_repository(source).export_files(rev, ["."], dest)
    except (ReviewloopError, OSError):
        return None
    return dest
