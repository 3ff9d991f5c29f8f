"""`checks.analyzers.jest_cli` with `jest_tests` against jest itself: over a fixed product of
test scripts (path patterns, `--testPathPattern`, `--selectProjects`, `--ignoreProjects`, with
jest's other options around them) and configurations (none, a `testMatch`, named projects), a
file is selected exactly when the script's `jest --listTests` lists it; the script reached
through `npm run`, npm-run-all or a coverage wrapper selects the same; and an option that
chooses files another way is named, never read as the configuration alone."""

from __future__ import annotations

import json
import subprocess
from itertools import product
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.jest_cli import parse
from reviewloop.checks.analyzers.jest_tests import jest_tests, unread_selections
from tests.support.npm_fixture import FIXTURES, installed

FOLDERS = ("", "src/", "spec/", "e2e/", "src/unit/", "__tests__/", "src/__tests__/")
NAMES = ("a.test.js", "a.spec.ts", "b.js", "a.test.jsx", "Unit.test.js")
CONFIGS = (
    None,  # no configuration: jest's defaults
    {"testMatch": ["**/*.js"]},
    {"projects": [{"displayName": "unit", "testMatch": ["<rootDir>/src/**/*.js"]},
                  {"displayName": {"name": "e2e", "color": "blue"},
                   "testMatch": ["<rootDir>/e2e/**/*.[jt]s"]},
                  {"testMatch": ["<rootDir>/spec/**/*"]}]},
)
# the jest commands a test script runs (`jest` is where the oracle's jest goes)
SCRIPTS = (
    "jest src/", "jest spec E2E", "jest --testPathPattern=unit", "jest -- __tests__/",
    "jest --ci --maxWorkers 2 spec", "jest --selectProjects unit", "jest --ignore-projects unit",
    "jest --selectProjects unit e2e --ci", "jest 'a\\.test'",
    "jest --coverage --coverageReporters text lcov -- e2e",
    "jest --testPathPattern unit --testPathPattern e2e", "jest -t 'src' --bail",
    "jest --select-projects=e2e src", "jest --selectProjects nothing",
)


def _tree(root: Path) -> list[str]:
    paths = [f"{folder}{name}" for folder, name in product(FOLDERS, NAMES)]
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("test('x', () => {});\n")
    return paths


@pytest.mark.npm
@pytest.mark.parametrize(("script", "number"), list(product(SCRIPTS, range(len(CONFIGS)))))
def test_the_files_the_script_s_jest_lists_are_the_ones_selected(tmp_path, script, number):
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    root = tmp_path / "p"  # no pattern names a folder above it
    paths = _tree(root)
    config = CONFIGS[number]
    manifest = {"name": "p", "scripts": {"test": script},
                **({"jest": config} if config is not None else {})}
    (root / "package.json").write_text(json.dumps(manifest))
    listing = script.replace("jest", f"node {jest} --listTests --ci", 1)
    run = subprocess.run(["sh", "-c", listing], cwd=root, capture_output=True, text=True)
    prefix = f"{root.resolve()}/"
    listed = {line.removeprefix(prefix) for line in run.stdout.splitlines()
              if line.startswith(prefix)}
    selected = jest_tests({"package.json": json.dumps(manifest)}.get)

    assert run.returncode == 0 or "nothing" in script, run.stderr  # the oracle ran
    assert {p for p in paths if selected.runs(p)} == listed


# the same command reached another way: `{}` is one of SCRIPTS
REACHED = ("npm run unit -- {rest}", "run-s 'test:*'", "c8 --reporter=lcov {}",
           "nyc -r text npx {}", "npm-run-all --parallel lint test:unit")


@pytest.mark.parametrize(("form", "script"), list(product(REACHED, SCRIPTS[::3])))
def test_a_jest_command_reached_through_other_scripts_selects_the_same(form, script):
    paths = [f"{folder}{name}" for folder, name in product(FOLDERS, NAMES)]
    jest_config = CONFIGS[2]
    rest = script.removeprefix("jest")
    direct = {"name": "p", "scripts": {"test": script}, "jest": jest_config}
    scripts = {"test": form.format(script, rest=rest), "lint": "eslint .",
               "unit": "jest", "test:unit": script}
    reached = {**direct, "scripts": scripts}
    one = jest_tests({"package.json": json.dumps(direct)}.get)
    other = jest_tests({"package.json": json.dumps(reached)}.get)

    assert [p for p in paths if one.runs(p)] == [p for p in paths if other.runs(p)]


# each spelling jest's yargs reads, and the option it is
NOT_READ = (("--findRelatedTests src/a.js", "--findRelatedTests"), ("-o", "--onlyChanged"),
            ("--onlyChanged", "--onlyChanged"), ("--changedSince main", "--changedSince"),
            ("--lastCommit", "--lastCommit"), ("--testMatch '**/*.js'", "--testMatch"),
            ("--roots src", "--roots"), ("--rootDir=src", "--rootDir"),
            ("--testRegex x", "--testRegex"), ("--runTestsByPath src/a.test.js",
                                               "--runTestsByPath"),
            ("--watch", "--watch"), ("-f", "--onlyFailures"),
            ("--test-path-ignore-patterns e2e", "--testPathIgnorePatterns"),
            ("--filter ./f.js", "--filter"))


@pytest.mark.parametrize(("option", "before"), list(product(NOT_READ, (True, False))))
def test_an_option_that_chooses_files_another_way_is_named(option, before):
    written, canonical = option
    script = f"jest {written} --ci" if before else f"jest --ci {written}"
    manifest = {"scripts": {"test": script}, "jest": {"testMatch": ["**/e2e/*.js"]}}
    read = {"package.json": json.dumps(manifest)}.get

    assert unread_selections(read) == (f"jest {canonical}",)
    assert jest_tests(read).runs("e2e/a.js")  # the configuration alone, named as partial


def test_options_are_read_as_jest_s_yargs_types():
    command = parse(["--selectProjects", "a", "b", "--ci", "src", "-c", "x.json", "-w", "2",
                     "--reporters", "default", "r2", "--testPathPattern=e2e", "--", "-x"])

    assert command.select == ("a", "b")
    assert command.config == "x.json"
    assert command.patterns == ("src", "-x", "e2e")
