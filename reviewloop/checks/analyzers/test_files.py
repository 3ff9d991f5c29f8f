"""Which files the project's test runner collects, as the trusted side's configuration
declares it: one answer for the coverage check and `test-changes` (`checks.paths.collected_test`
with the pytest `python_files` of `bandit_tests.pytest_files`)."""

from __future__ import annotations

from collections.abc import Callable

from reviewloop.checks.analyzers.bandit_tests import PytestFiles, pytest_files
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.paths import collected_test


def runner_tests(ctx: AnalyzerContext) -> Callable[[str], bool]:
    """`collected_test` under the trusted pytest configuration's `python_files` when it has
    one (read once per context), the runners' defaults otherwise."""
    settings = ctx.once("pytest-files", lambda: pytest_files(ctx))
    declared = None if settings.source == PytestFiles().source else settings.patterns
    return lambda path: collected_test(path, declared)

