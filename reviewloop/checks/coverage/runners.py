"""Test runners that run the code in a vm context of their own (vitest, jest), where Node's V8
coverage has no source map to read it back by: whether the measured run can ask the runner
itself for istanbul JSON coverage, and the command that asks.

A runner is asked the way a user asks it: arguments after the package's test script
(through the package manager, `gates.node.FORWARD`) or after the runner's own command —
coverage on, the JSON reporter only, into a folder outside the tree, and the project's own
thresholds off (the run measures; it must not fail on a figure the project set). A runner
the test script reaches through another script (`npm run unit`, `run-s test:*`) cannot be
handed arguments: the reason says so. vitest
needs `@vitest/coverage-v8` in the project's node_modules: without it vitest would stop to
offer installing it, so the run stays plain and the new exports are noted unchecked. jest
measures with what it ships.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers.script_tests import runner_argv, script_commands
from reviewloop.checks.gates.node import (
    FORWARD,
    manager_of_test_script,
    node_dependencies,
    read_manifest,
    runs_node,
)

PROVIDER = "@vitest/coverage-v8"
_VM_RUNNERS = re.compile(r"\b(vitest|jest)\b")
_SEGMENTS = re.compile(r"&&|\|\||[;|&]")  # the commands a script chains: arguments reach the last
# What asks each runner for `coverage-final.json` in a folder ({} is the folder).
_ASK: dict[str, tuple[str, ...]] = {
    "vitest": ("--coverage.enabled=true", "--coverage.provider=v8", "--coverage.reporter=json",
               "--coverage.thresholds.100=false", "--coverage.thresholds.lines=0",
               "--coverage.thresholds.functions=0",
               "--coverage.thresholds.branches=0", "--coverage.thresholds.statements=0",
               "--coverage.thresholds.perFile=false", "--coverage.thresholds.autoUpdate=false",
               "--coverage.reportsDirectory={}",
               # and its JUnit report, which says which tests failed (`junit.py`)
               "--reporter=default", "--reporter=junit", "--outputFile.junit={}/junit.xml"),
    "jest": ("--coverage", "--coverageReporters=json", "--coverageThreshold={{}}",
             "--coverageDirectory={}",
             # and its results as JSON, which say which tests failed (`junit.py`)
             "--json", "--outputFile={}/jest-results.json"),
}


@dataclass(frozen=True)
class RunnerCoverage:
    """A test command that runs a vm runner: how arguments reach the runner, or why the
    runner cannot be asked for its coverage (`reason`)."""

    runner: str
    forward: str = ""  # what goes before the arguments (npm's ` --`)
    reason: str | None = None

    def command(self, command: str, folder: Path) -> str:
        """`command` asking the runner to write `coverage-final.json` into `folder`."""
        arguments = [argument.format(folder) for argument in _ASK[self.runner]]
        return f"{command}{self.forward} {shlex.join(arguments)}"


def runner_coverage(root: Path, command: str) -> RunnerCoverage | None:
    """How `command` (run in `root`) is measured by its runner; None when it runs no vm runner
    (Node's own V8 coverage reads it)."""
    if not runs_node(command):
        return None  # `pytest -k jest`, `make test`: no runner to pass arguments to
    manager = manager_of_test_script(command)
    script = (package_test_script(root) or "") if manager is not None else command
    found = _VM_RUNNERS.search(script)
    if found is None:
        reached = _reached_runner(root) if manager is not None else None
        return None if reached is None else RunnerCoverage(reached, reason=(
            f"the test script runs {reached} through another script, so no argument can ask "
            f"it for its coverage: `{script}`"))
    last = _VM_RUNNERS.search(_SEGMENTS.split(script)[-1])
    if last is None:
        return RunnerCoverage(found.group(0), reason=(
            f"the test script does not end with {found.group(0)}, so no argument can ask it "
            f"for its coverage: `{script}`"))
    runner = last.group(0)
    if runner == "vitest" and not _installed(root, PROVIDER):
        return RunnerCoverage(runner, reason=(
            f"the tests run under vitest without {PROVIDER}: install {PROVIDER} to have new "
            "exports checked"))
    return RunnerCoverage(runner, forward=FORWARD[manager] if manager is not None else "")


def package_test_script(root: Path) -> str | None:
    """The `test` script of the package at `root`."""
    manifest = read_manifest(root) or {}
    scripts = manifest.get("scripts")
    test = scripts.get("test") if isinstance(scripts, dict) else None
    return test if isinstance(test, str) else None


def _reached_runner(root: Path) -> str | None:
    """The vm runner a script the test script runs by name runs (`npm run unit`, `run-s
    test:*`, `script_tests.script_commands`), if one does."""
    try:
        text = (root / "package.json").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for command in script_commands(text):
        try:
            argv = runner_argv(shlex.split(command))
        except ValueError:
            continue
        if argv[:1] in (["vitest"], ["jest"]):
            return argv[0]
    return None


def _installed(root: Path, package: str) -> bool:
    """Whether Node's resolution from `root` finds `package` (its own node_modules, or one
    above it that a run's worktree borrows)."""
    folders = (root / "node_modules", *node_dependencies(root))
    return any((folder / package / "package.json").is_file() for folder in folders)
