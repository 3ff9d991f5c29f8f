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
from reviewloop.checks.analyzers.script_tests import script_tests
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
    assert {p for p in paths if selected.runs(p, str(root.resolve()))} == listed


def _listed(jest: Path, root: Path, script: str) -> set[str]:
    """The files of `root` the script's `jest --listTests` lists."""
    listing = script.replace("jest", f"node {jest} --listTests --ci", 1)
    run = subprocess.run(["sh", "-c", listing], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr  # the oracle ran
    prefix = f"{root.resolve()}/"
    return {line.removeprefix(prefix) for line in run.stdout.splitlines()
            if line.startswith(prefix)}


# jest-cli 29's boolean options (build/args.js), the short ones as aliases: yargs takes a
# following `true`/`false` as the option's value, never as a path pattern (rev13 D2)
BOOLEANS = (
    "all", "automock", "bail", "cache", "changedFilesWithAncestor", "ci", "clearCache",
    "clearMocks", "collectCoverage", "color", "colors", "coverage", "debug", "detectLeaks",
    "detectOpenHandles", "errorOnDeprecated", "expand", "findRelatedTests", "forceExit", "init",
    "injectGlobals", "json", "lastCommit", "listTests", "logHeapUsage", "noStackTrace",
    "notify", "onlyChanged", "onlyFailures", "passWithNoTests", "randomize", "resetMocks",
    "resetModules", "restoreMocks", "runInBand", "runTestsByPath", "showConfig", "showSeed",
    "silent", "skipFilter", "testLocationInResults", "updateSnapshot", "useStderr", "verbose",
    "watch", "watchAll", "watchman", "workerThreads", "b", "e", "i", "u", "o", "f")
# `true` of these does something else than list (or chooses files another way: named)
NOT_LISTING = frozenset({
    "clearCache", "debug", "findRelatedTests", "init", "json", "lastCommit", "listTests",
    "notify", "onlyChanged", "onlyFailures", "o", "f", "runTestsByPath", "showConfig",
    "showSeed", "useStderr", "watch", "watchAll", "changedFilesWithAncestor"})


def _flag(name: str) -> str:
    return f"-{name}" if len(name) == 1 else f"--{name}"


@pytest.mark.parametrize(("value", "before"), list(product(("true", "false", None),
                                                           (True, False))))
def test_a_boolean_option_takes_a_following_true_or_false(value, before):
    for name in BOOLEANS:
        option = _flag(name) if value is None else f"{_flag(name)} {value}"
        words = [*option.split(), "src"] if before else ["src", *option.split()]
        command = parse(words)

        assert command.patterns == ("src",), option
        assert ("--findRelatedTests" in command.unread) == \
            (name == "findRelatedTests" and value != "false")


@pytest.mark.npm
@pytest.mark.parametrize(("value", "before", "number"),
                         list(product(("true", "false", None), (True, False), (0, 1))))
def test_booleans_valued_select_what_jest_lists(tmp_path, value, before, number):
    """(The test's name holds neither `true` nor `false`: its folder is in every path.)"""
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    root = tmp_path / "p"
    paths = _tree(root)
    written = [(_flag(n) if value is None else f"{_flag(n)} {value}") for n in BOOLEANS
               if (value == "false" and n != "listTests") or n not in NOT_LISTING]
    options = " ".join(written[number::2])  # half of them in each script, in turn
    script = f"jest {options} src/" if before else f"jest src/ {options}"
    manifest = {"name": "p", "scripts": {"test": script}}
    (root / "package.json").write_text(json.dumps(manifest))
    selected = jest_tests({"package.json": json.dumps(manifest)}.get)

    assert {p for p in paths if selected.runs(p, str(root.resolve()))} == \
        _listed(jest, root, script)


# folders a checkout may sit in (`~/src/app`, CI's `/home/runner/work/app/app`) that the
# script's patterns name: jest searches a pattern in the file's absolute path (rev13 D5)
PLACES = ("src", "work/app", "E2E", "code/spec", "unit")


@pytest.mark.npm
@pytest.mark.parametrize(("place", "script"), list(product(PLACES, SCRIPTS[:6:2])))
def test_a_pattern_is_searched_in_the_checkout_s_absolute_path(tmp_path, place, script):
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    root = tmp_path / "x" / place / "app"
    paths = _tree(root)
    manifest = {"name": "p", "scripts": {"test": script}}
    (root / "package.json").write_text(json.dumps(manifest))
    selected = jest_tests({"package.json": json.dumps(manifest)}.get)

    assert {p for p in paths if selected.runs(p, str(root.resolve()))} == \
        _listed(jest, root, script)


# the same command reached another way: `{}` is one of SCRIPTS
REACHED = ("npm run unit -- {rest}", "run-s 'test:*'", "c8 --reporter=lcov {}",
           "nyc -r text npx {}", "npm-run-all --parallel test:unit")  # every command jest


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


# what else a package's `npm test` runs beside `jest src`: read (node --test, mocha, another
# jest) or not (a runner this does not read, any other program): `{}` is where it goes
OTHERS = (("node --test e2e/a.test.js", True), ("mocha e2e", True), ("jest e2e", True),
          ("tsx --test e2e/", False), ("ts-mocha 'e2e/**/*.test.ts'", False),
          ("qunit e2e", False), ("node e2e/run.js", False), ("vitest run", False),
          ("react-scripts test", False))
PLACED = ({"test": "jest src && {}"}, {"test": "jest src", "pretest": "{}"},
          {"test": "jest src", "posttest": "{}"}, {"test": "npm run unit && npm run e2e",
                                                   "unit": "jest src", "e2e": "{}"},
          {"test": "npm run unit", "unit": "jest src", "postunit": "{}"})


@pytest.mark.parametrize(("other", "form"), list(product(OTHERS, PLACED)))
def test_jest_narrows_only_when_every_command_of_the_script_is_read(other, form):
    command, read_here = other
    scripts = {name: text.format(command) for name, text in form.items()}
    manifest = json.dumps({"name": "p", "scripts": scripts})
    read = {"package.json": manifest}.get
    selected, script = jest_tests(read), script_tests(manifest)
    e2e = "e2e/a.test.js"  # jest's default names: every command above may run it

    assert selected.narrowed == read_here
    assert (selected.runs(e2e) or script.runs(e2e)) == (read_here or not selected.narrowed)
    assert (command in unread_selections(read)) == (not read_here)  # named as not read
