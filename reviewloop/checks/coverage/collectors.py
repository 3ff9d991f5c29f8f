"""Running one language's tests under coverage: a `Collector` per language of `newcode.FINDERS`.

Both read the same measured run (`measure.covered_run`: coverage.py for Python processes,
`NODE_V8_COVERAGE` for Node ones, the runner's own istanbul JSON under vitest or jest), so a
test command the test gate has already run on this tree is never run again. Python measures
the project's pytest command; JavaScript and TypeScript the package's test command
(`npm test`, `pnpm run test`, …, or the configured one).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.coverage.measure import CoveredRun, covered_run
from reviewloop.checks.coverage.runners import runner_coverage
from reviewloop.checks.coverage.scripts import SUFFIXES
from reviewloop.checks.coverage.spans import ExecutedLines
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.checks.gates.detect import detect_commands
from reviewloop.checks.gates.node import runs_node

PYTEST_EXITS = (0, 1, 5)  # all passed, some failed, none collected: the data is usable
TAIL_CHARS = 1500


@dataclass(frozen=True)
class TestRun:
    """What one run of the tests under a coverage tool executed."""

    __test__ = False  # not a pytest test class, despite the name

    executed: ExecutedLines
    command: str
    tests_failed: bool = False
    measured: frozenset[str] | None = None  # the files measured at all; None: every one
    # whether each function ran, by where it starts, where V8 says so (`v8.read_v8_functions`)
    functions: Mapping[str, Mapping[tuple[int, int], bool]] = field(default_factory=dict)


class Collector(Protocol):
    """Runs one language's tests under its coverage tool."""

    language: str

    def command(self, root: Path, test_command: str | None) -> str | None:
        """The test command to measure: the configured one when it fits, else detected."""
        ...

    def unavailable(self, root: Path, test_command: str | None) -> str | None:
        """Why the tests cannot run under coverage here (no test suite, …); None when they can."""
        ...

    def collect(self, root: Path, tests: ProjectTests) -> TestRun: ...


class PythonCoverage:
    """The project's pytest command, exactly as configured or detected, under coverage.py."""

    language = "python"

    def command(self, root: Path, test_command: str | None) -> str | None:
        return pytest_command(root, test_command)

    def unavailable(self, root: Path, test_command: str | None) -> str | None:
        if pytest_command(root, test_command) is None:
            return ("not a pytest project (no tests folder or pytest configuration)"
                    if test_command is None else f"the test command is not pytest: {test_command}")
        return None

    def collect(self, root: Path, tests: ProjectTests) -> TestRun:
        command = pytest_command(root, tests.command)
        if command is None:
            raise AnalyzerError(self.unavailable(root, tests.command) or "no pytest command")
        covered = covered_run(root, command, tests.timeout, sandbox=tests.sandbox)
        if covered.problem is not None:
            raise AnalyzerError(covered.problem)
        if covered.run.exit_code not in PYTEST_EXITS:
            raise AnalyzerError(f"`{command}` exited with {covered.run.exit_code}:\n"
                                f"{covered.run.output[-TAIL_CHARS:]}")
        executed = {path: set(lines) for path, lines in covered.executed.items()}
        return TestRun(executed, command, covered.run.exit_code == 1)


class ScriptCoverage:
    """The package's test command under `NODE_V8_COVERAGE`, mapped back through source maps —
    or, under vitest or jest, with the runner's own istanbul JSON (`runners.py`)."""

    language = "javascript"

    def command(self, root: Path, test_command: str | None) -> str | None:
        if test_command is not None:
            return test_command if runs_node(test_command) else None
        return next((c for c in detect_commands(root).test if runs_node(c)), None)

    def unavailable(self, root: Path, test_command: str | None) -> str | None:
        if self.command(root, test_command) is None:
            return ("no test script in package.json" if test_command is None
                    else f"the test command does not run Node: {test_command}")
        runner = runner_coverage(root, self.command(root, test_command) or "")
        return None if runner is None else runner.reason

    def collect(self, root: Path, tests: ProjectTests) -> TestRun:
        command = self.command(root, tests.command)
        if command is None or self.unavailable(root, tests.command) is not None:
            raise AnalyzerError(self.unavailable(root, tests.command) or "no Node test command")
        covered = covered_run(root, command, tests.timeout, sandbox=tests.sandbox)
        executed = {p: set(lines) for p, lines in covered.executed.items()
                    if p.endswith(SUFFIXES)}
        _check_script_run(covered, command, executed)
        return TestRun(executed, command, covered.run.exit_code != 0, covered.measured,
                       covered.functions)


def _check_script_run(covered: CoveredRun, command: str, executed: ExecutedLines) -> None:
    if covered.run.timed_out:
        raise AnalyzerError(f"`{command}` did not finish within the time limit")
    if not any(lines for lines in executed.values()):
        raise AnalyzerError(
            f"`{command}` (exit {covered.run.exit_code}) ran no function of the project that "
            "V8 coverage could map back to its source, nor wrote its runner's istanbul JSON "
            "(a runner that executes code in a vm context of its own leaves Node no source "
            "map, and only vitest and jest are asked for their own):\n"
            f"{covered.run.output[-TAIL_CHARS:]}")


COLLECTORS: dict[str, Collector] = {"python": PythonCoverage(), "javascript": ScriptCoverage()}


def pytest_command(root: Path, test_command: str | None) -> str | None:
    """The configured test command when it runs pytest; unset, the first detected one."""
    if test_command is not None:
        return test_command if runs_pytest(test_command) else None
    return next((c for c in detect_commands(root).test if runs_pytest(c)), None)


def runs_pytest(command: str) -> bool:
    """`pytest …`, `py.test …` or `<python> -m pytest …`."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    return (argv[:1] != [] and PurePosixPath(argv[0]).name in ("pytest", "py.test")) or \
        (len(argv) >= 3 and argv[1:3] == ["-m", "pytest"])
