"""Which files the project's test runner collects, as the trusted side's configuration
declares it: one answer for the coverage check and `test-changes` (`checks.paths.collected_test`
with the pytest `python_files` and `testpaths` of `bandit_tests.pytest_files`, and the files
the package's test script names, `script_tests`)."""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from pathlib import Path

from reviewloop.checks.analyzers.bandit_tests import PytestFiles, pytest_files
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.jest_tests import (
    JEST_SUFFIXES,
    jest_tests,
    unread_configs,
    unread_selections,
)
from reviewloop.checks.analyzers.script_tests import script_tests
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.checks.paths import collected_test


def runner_tests(ctx: AnalyzerContext,
                 rule: Callable[..., bool] = collected_test) -> Callable[[str], bool]:
    """`collected_test` under the trusted pytest configuration's `python_files` and
    `testpaths` when it has one (read once per context), the runners' defaults otherwise;
    and a file the trusted root `package.json`'s test script hands node's runner or mocha
    (`script_tests`), or its static jest configuration selects (`jest_tests`). When the test
    script's jest commands narrow what jest runs (`jest src/`, `--selectProjects unit`) and
    every other command it runs is one whose files are read, a script file is a test only
    when they run it. `rule` judges a name (`checks.paths.runner_collects`: no test folder's
    helpers or data)."""
    settings = ctx.once("pytest-files", lambda: pytest_files(ctx))
    declared = None if settings.source == PytestFiles().source else settings.patterns
    starts = ctx.once("pytest-testpaths", lambda: collection_starts(ctx.reviewed, settings))
    script = ctx.once("script-tests", lambda: script_tests(trusted_text(ctx, "package.json")))
    jest = ctx.once("jest-tests", lambda: jest_tests(lambda name: trusted_text(ctx, name)))
    checkout = str(ctx.reviewed.resolve())  # jest searches path patterns in absolute paths
    if jest.narrowed:  # only when every command of the script is read (`jest_tests`)
        return lambda path: rule(path, declared, starts) if not _jest_reads(path) \
            else script.runs(path) or jest.runs(path, checkout)
    return lambda path: rule(path, declared, starts) \
        or (not path.endswith(".py") and (script.runs(path) or jest.runs(path, checkout)))


def _jest_reads(path: str) -> bool:
    return path.endswith(JEST_SUFFIXES)


def collection_starts(tree: Path, settings: PytestFiles) -> tuple[str, ...]:
    """Where plain `pytest` run at the root with no arguments starts collecting: the files
    and folders of `tree` its `testpaths` globs name (`glob.iglob(..., recursive=True)`, as
    pytest expands them); none when they name nothing, and pytest searches the whole tree."""
    found = (os.path.normpath(hit) for pattern in settings.testpaths
             for hit in glob.iglob(pattern, root_dir=tree, recursive=True))
    return tuple(sorted({Path(hit).as_posix() for hit in found if not hit.startswith("..")}))


def runner_configs_not_read(ctx: AnalyzerContext) -> tuple[str, ...]:
    """The trusted test-runner configurations that are code, so never read here (which files
    they make tests is not known: `jest_tests.unread_configs`)."""
    return ctx.once("runner-configs-not-read",
                    lambda: unread_configs(lambda name: trusted_text(ctx, name)))


def runner_selections_not_read(ctx: AnalyzerContext) -> tuple[str, ...]:
    """What chooses the files the test script's jest runs and is not read here
    (`jest_tests.unread_selections`: `jest --findRelatedTests`, a project glob)."""
    return ctx.once("runner-selections-not-read",
                    lambda: unread_selections(lambda name: trusted_text(ctx, name)))
