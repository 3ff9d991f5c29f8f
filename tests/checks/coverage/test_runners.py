"""reviewloop.checks.coverage.runners: which test commands run a vm runner, how the measured
run asks vitest for its istanbul JSON through each package manager, and why it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.coverage.runners import PROVIDER, RunnerCoverage, runner_coverage
from tests.support.repos import run_worktree

ASKS = ("--coverage.enabled=true --coverage.provider=v8 --coverage.reporter=json "
        "--coverage.thresholds.100=false --coverage.thresholds.lines=0 "
        "--coverage.thresholds.functions=0 "
        "--coverage.thresholds.branches=0 --coverage.thresholds.statements=0 "
        "--coverage.thresholds.perFile=false --coverage.thresholds.autoUpdate=false "
        "--coverage.reportsDirectory=/tmp/r/istanbul "
        "--reporter=default --reporter=junit --outputFile.junit=/tmp/r/istanbul/junit.xml")


def package(root: Path, test: str, *, provider: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps({"name": "p", "scripts": {"test": test}}))
    if provider:  # the provider as npm installs it: a folder with its package.json
        (root / "node_modules" / PROVIDER).mkdir(parents=True)
        (root / "node_modules" / PROVIDER / "package.json").write_text("{}")
    return root


@pytest.mark.parametrize(("command", "asked"), [
    ("npm test --silent", f"npm test --silent -- {ASKS}"),
    ("pnpm run --silent test", f"pnpm run --silent test {ASKS}"),
    ("yarn --silent run test", f"yarn --silent run test {ASKS}"),
    ("bun run test", f"bun run test {ASKS}"),
    ("npx vitest run", f"npx vitest run {ASKS}"),  # the runner's own command: no script
])
def test_vitest_is_asked_through_each_package_manager(tmp_path, command, asked):
    root = package(tmp_path, "tsc --noEmit && vitest run --reporter=dot")

    runner = runner_coverage(root, command)

    assert runner is not None and runner.reason is None
    assert runner.command(command, Path("/tmp/r/istanbul")) == asked


def test_the_runner_the_script_ends_with_is_asked(tmp_path):
    root = package(tmp_path, "jest --listTests && vitest run")

    assert runner_coverage(root, "pnpm test") == RunnerCoverage("vitest")


def test_a_provider_in_the_checkout_above_a_worktree_counts(tmp_path):
    checkout = package(tmp_path / "repo", "vitest run")
    worktree = package(run_worktree(checkout, "r1"), "vitest run", provider=False)

    assert runner_coverage(worktree, "npm test") == RunnerCoverage("vitest", forward=" --")


@pytest.mark.parametrize(("test", "provider", "reason"), [
    ("vitest run", False, "the tests run under vitest without @vitest/coverage-v8: install "
                          "@vitest/coverage-v8 to have new exports checked"),
    ("vitest run && eslint .", True, "the test script does not end with vitest, so no "
                                     "argument can ask it for its coverage: "
                                     "`vitest run && eslint .`"),
])
def test_why_the_runner_cannot_be_asked(tmp_path, test, provider, reason):
    root = package(tmp_path, test, provider=provider)

    runner = runner_coverage(root, "npm test --silent")

    assert runner is not None and runner.reason == reason


def test_jest_is_asked_for_json_without_the_projects_thresholds(tmp_path):
    root = package(tmp_path, "jest --ci", provider=False)  # jest measures with its own

    runner = runner_coverage(root, "npm test --silent")

    assert runner == RunnerCoverage("jest", forward=" --")
    assert runner is not None
    assert runner.command("npm test --silent", Path("/tmp/r/istanbul")) == (
        "npm test --silent -- --coverage --coverageReporters=json '--coverageThreshold={}' "
        "--coverageDirectory=/tmp/r/istanbul --json "
        "--outputFile=/tmp/r/istanbul/jest-results.json")


@pytest.mark.parametrize("test", ["node --test test/", "mocha", "tsx --test"])
def test_other_runners_are_left_to_node(tmp_path, test):
    assert runner_coverage(package(tmp_path, test), "npm test --silent") is None


@pytest.mark.parametrize("command", ["python -m pytest -k jest", "make vitest"])
def test_a_command_node_does_not_start_is_never_given_arguments(tmp_path, command):
    assert runner_coverage(package(tmp_path, "vitest run"), command) is None


@pytest.mark.parametrize(("scripts", "runner"), [
    ({"unit": "vitest run"}, "vitest"), ({"unit": "c8 --reporter=lcov jest --ci"}, "jest"),
    ({"unit": "npm run inner", "inner": "npx vitest"}, "vitest"),
])
@pytest.mark.parametrize("test", ["npm run unit", "run-s lint unit", "npm-run-all -p 'u*'",
                                  "yarn unit"])
def test_a_runner_reached_through_another_script_is_named_not_left_to_node(tmp_path, scripts,
                                                                           runner, test):
    root = package(tmp_path, test)
    manifest = {"name": "p", "scripts": {"test": test, "lint": "eslint .", **scripts}}
    (root / "package.json").write_text(json.dumps(manifest))

    found = runner_coverage(root, "npm test --silent")

    assert found == RunnerCoverage(runner, reason=(
        f"the test script runs {runner} through another script, so no argument can ask it "
        f"for its coverage: `{test}`"))
