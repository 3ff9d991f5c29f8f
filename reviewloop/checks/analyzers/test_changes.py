"""The `test-changes` analyzer: production code changed what it does while no test file
changed, and no test run shows the new code executed.

One should_fix file-level finding (keyed on the file, not the line it is shown on), on the
first added line of the first production file whose behaviour changed. A file counts as a
test when the project's test runner collects it (`test_files.runner_tests`): the pytest
`python_files` the trusted configuration declares, else the runners' defaults (`test_*.py`,
`*_test.py`, unittest's `test*.py`, `*_test.go`, `*.test.ts`, node's `*-test.js`, `test.js`,
…), a Python `tests/` folder, a `test/` or `__tests__/` folder of scripts; as production code
when it is a source file of a common language and not a test (a module under `src/spec/` or
`src/tests/` that no runner collects is one). Docs, configuration and data files are neither.

Behaviour (`checks.behaviour`): an edit of docstrings, comments, whitespace or blank lines,
or a local variable renamed, changes nothing a test could show, so it needs no test (nor does
a file moved without a content change: it adds no line). When the project's tests may run
(`--tests`), a change whose changed Python lines all ran under them (the coverage
analyzer's own run, made once) is tested already.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.test_files import (
    runner_configs_not_read,
    runner_selections_not_read,
    runner_tests,
)
from reviewloop.checks.behaviour import changes_behaviour
from reviewloop.checks.paths import looks_like_test
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import FileDiff
from reviewloop.git.names import code_span, name_suffix, posix_name, under_text
from reviewloop.git.reads import read_text

NAME = "test-changes"
RULE = "no-test-change"
SOURCE_SUFFIXES = frozenset({
    ".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".rs",
    ".java", ".kt", ".scala", ".rb", ".php", ".cs", ".swift", ".c", ".h", ".cc", ".cpp",
    ".hpp", ".m", ".ex", ".exs", ".clj", ".lua", ".dart", ".vue", ".svelte",
})
_NOT_PRODUCTION = ("conftest.py", "setup.py", "noxfile.py")


def is_production(path: str) -> bool:
    return _is_source(path) and not looks_like_test(path)


def _is_source(path: str) -> bool:
    # asked of every changed file: no PurePosixPath
    name = posix_name(path)
    return name_suffix(name) in SOURCE_SUFFIXES and name not in _NOT_PRODUCTION


class TestChanges:
    __test__ = False  # not a pytest test class, despite the name

    name = NAME
    markers = ()  # reads no file's markers: its tool is reviewloop's own
    config_files = ()  # obeys no file of the checkout

    def available(self) -> str | None:
        return None

    max_bytes = 0  # reads no file as a linter does

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """None: it measures the change as a whole (an app synthesized, the tests run, the
        test files changed), it does not lint files; the coverage matrix leaves it out."""
        return []

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        is_test = runner_tests(ctx)  # what the project's runner collects, not a folder name
        if any(is_test(path) for path in ctx.changes.paths):
            return []
        # no changed file is a test (above): production code is any source file here
        root, files = os.fspath(ctx.root), ctx.file_set
        # a file the change only took lines out of (a check, a `"use strict"`, a call) may
        # change as much as an edited one; a deleted file is not in `files`
        production = [f for f in ctx.changes.files if f.path in files
                      and _is_source(f.path) and (f.added or f.removals)
                      and _changes_behaviour(root, f)]
        if not production or _covered(ctx, production, is_test):
            return []
        first = production[0]
        line = first.added[0].line if first.added else max(first.removals[0], 1)
        others = len(production) - 1
        also = f" (and {others} other production file{'s' * (others != 1)})" if others else ""
        return [Finding(
            severity=Severity.SHOULD_FIX, file=first.path, start_line=line,
            end_line=line, title="Production code changed with no test change",
            # the name as code: a name is the PR author's text (`@someone.py` mentions)
            rationale=(f"The change edits {code_span(first.path)}{also} but adds or edits no "
                       "test file, "
                       "so nothing shows the new behaviour works or guards it against "
                       f"regressions.{_unread(ctx)}"),
            suggestion="Add or update tests that exercise the changed code.",
            confidence=0.7, agent=ctx.agent, source=NAME, rule=RULE, level="file")]


def _unread(ctx: AnalyzerContext) -> str:
    """What says the runner's own test selection was not read, for a change with scripts."""
    if all(p.endswith(".py") for p in ctx.changes.paths):
        return ""
    names, chosen = runner_configs_not_read(ctx), runner_selections_not_read(ctx)
    said = ""
    if names:
        shown = ", ".join(code_span(n) for n in names)
        said += (f" The project's {shown} is code and was not read here: a file it makes a "
                 "test beyond the runner's default names is taken for production code.")
    if chosen:
        shown = ", ".join(code_span(n) for n in chosen)
        said += (f" What {shown} selects was not read here: a file it makes a test beyond "
                 "the runner's default names is taken for production code.")
    return said


def _changes_behaviour(root: str, diff: FileDiff) -> bool:
    try:
        full = under_text(root, diff.path)  # `under`'s file
        text = read_text(root, full)  # in a review, the one read others share
    except (OSError, UnicodeDecodeError):
        return True  # unreadable here: judged as a change
    return changes_behaviour(diff, text)


def _covered(ctx: AnalyzerContext, changed: Sequence[FileDiff],
             is_test: Callable[[str], bool]) -> bool:
    """Whether the project's tests (when they may run) executed every changed executable
    line of `changed`, all of them Python files; the run is the coverage analyzer's."""
    if ctx.tests is None or any(PurePosixPath(f.path).suffix != ".py" for f in changed):
        return False  # the tests do not run: the coverage modules are not loaded
    from reviewloop.checks.coverage.collectors import COLLECTORS
    from reviewloop.checks.coverage.lines import changed_line_coverage

    collector = COLLECTORS["python"]
    if collector.unavailable(ctx.root, ctx.tests.command) is not None:
        return False
    run = collector.collect(ctx.root, ctx.tests)
    if run.tests_failed:
        return False
    lines = changed_line_coverage(ctx.root, ctx.changes, run.executed, [f.path for f in changed],
                                  is_test)
    return lines.total > 0 and not lines.missed
