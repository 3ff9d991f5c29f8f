"""Whether a passing test run shows the change's tests ran: zero tests is not a pass for a
change that touches tests.

Each command's output says whether it ran tests (a count above zero), ran none (a count of
0 passed and 0 failed — cargo, unittest's `Ran 0 tests`, node's `# pass 0`, jest, vitest —
or a runner's own "no tests" line: go's `[no test files]` for every package, jest's `No
tests found`, vitest's `No test files found`, unittest's `NO TESTS RAN`, pytest's `no
tests ran`), or said nothing recognisable. When no command ran a test:

* a change touching a test file fails: its tests were not picked up;
* a change adding a test file, with commands that report nothing recognisable, fails as
  not verified: nothing shows the new test ran (`echo ok`, `true`, a quiet script).

With no test command at all (none configured, none detected): `gates.not_run`.

Which files are tests: the runners' default names and test folders, and the project's own
pytest `python_files` and `testpaths` (pytest.ini, .pytest.ini, pyproject.toml, tox.ini,
setup.cfg, as the analyzers read them from the trusted side).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import CommandOutcome
from reviewloop.checks.gates.counts import parse_counts
from reviewloop.checks.paths import looks_like_test
from reviewloop.git.diff import ChangeSet, FileStatus

if TYPE_CHECKING:
    from reviewloop.policy.trust import Trust

_NO_TESTS = re.compile(
    r"^No tests found\b|^No test files found\b|^NO TESTS RAN\b|\bno tests ran\b"
    r"|^\s*(?:Tests|Test Files)\s+no tests\s*$", re.M | re.I)
_GO_NO_FILES = re.compile(r"^\?\s+\S+\s+\[no test files\]\s*$", re.M)
_GO_PACKAGE = re.compile(r"^(?:ok|FAIL)\s+\S+", re.M)
# pytest at `-qq` (`-q` given twice, e.g. the command's and the project's addopts) prints its
# progress lines and no summary: a `.` or an `F` there is a test that ran
_PYTEST_PROGRESS = re.compile(r"^[.FEsxX]*[.F][.FEsxX]*\s+\[\s*\d{1,3}%\]\s*$", re.M)


def ran_tests(output: str) -> bool | None:
    """True when the output reports a test run, False when it reports that none ran, None
    when it says neither."""
    counts = parse_counts(output)
    if counts is not None and (counts.passed or counts.failed or counts.failed_files):
        return True
    if counts is None and _PYTEST_PROGRESS.search(output):
        return True
    if counts is not None or _NO_TESTS.search(output):
        return False
    if _GO_NO_FILES.search(output) and not _GO_PACKAGE.search(output):
        return False
    return None


def change_tests(ctx: GateContext) -> Callable[[str], bool]:
    """Whether a path of the change is a test file (`tests_in`)."""
    return tests_in(ctx.root, ctx.changes, ctx.diff_text, ctx.trust)


def tests_in(root: Path, changes: ChangeSet | None = None, diff_text: str = "",
             trust: Trust | None = None, *,
             rule: Callable[..., bool] | None = None) -> Callable[[str], bool]:
    """Whether a path of the tree at `root` is a test file: the runners' names and test
    folders, the project's pytest `python_files` and `testpaths`, the files its package.json
    test script and static jest configuration select (read where `trust` says: None, the
    tree at `root`). The one answer the test gate and a fix's re-test (`fixes.retest`) ask.
    `rule`: what a file's name says (`checks.paths.runner_collects`: only the files a runner
    collects, no test folder's data or helpers); None: anything that may hold test code."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.checks.analyzers.test_files import runner_tests

    scan = AnalyzerContext(root=root, changes=changes or ChangeSet(), diff_text=diff_text,
                           agent="test-gate", trust=trust)
    if rule is not None:
        return runner_tests(scan, rule)
    declared = runner_tests(scan)
    return lambda path: looks_like_test(path) or declared(path)


def unverified(ctx: GateContext, outcomes: Sequence[CommandOutcome],
               is_test: Callable[[str], bool]) -> str | None:
    """Why passing `outcomes` do not show the change's tests ran (module docstring)."""
    touched = [p for p in ctx.changed_files if is_test(p) and (ctx.root / p).is_file()]
    if not touched:
        return None
    said = [ran_tests(o.run.output) for o in outcomes]
    if any(s is True for s in said):
        return None
    commands = ", ".join(f"`{o.command}`" for o in outcomes)
    if any(s is False for s in said):
        return (f"{commands} ran no tests although the change touches {touched[0]}: its tests "
                "were not picked up; fix: make the test command collect them")
    added = {d.path for d in ctx.changes.files if d.status is FileStatus.ADDED}
    new = [p for p in touched if p in added]
    if not new:
        return None
    return (f"not verified: {commands} reported no test count, so nothing shows that the new "
            f"test {new[0]} ran; fix: set `[gates] test` to the test runner itself "
            "(`python -m pytest`, `go test ./...`) or make the command print its summary")

