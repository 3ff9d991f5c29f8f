"""`checks.analyzers.jest_tests` against jest itself: over a fixed product of static jest
configurations (package.json's `jest` key, `jest.config.json`) and file names, a file is
selected exactly when `jest --listTests` lists it."""

from __future__ import annotations

import json
import random
import subprocess
from itertools import combinations, product
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.jest_tests import jest_tests
from tests.support.npm_fixture import FIXTURES, installed

pytestmark = pytest.mark.npm

FOLDERS = ("", "src/", "tests/", "tests/unit/", "spec/", "__tests__/", "src/__tests__/", "e2e/")
NAMES = ("a.js", "a.test.js", "a.spec.ts", "a-test.js", "helper.mjs", "a.test.jsx", "b_spec.js")
CONFIGS = (
    {},
    {"testMatch": ["<rootDir>/tests/**/*.js", "**/spec/*.[jt]s"]},
    {"testMatch": ["**/?(*.)+(spec|test).[jt]s?(x)", "**/e2e/**/*.{js,mjs}"]},
    {"roots": ["<rootDir>/src", "tests"]},
    {"testRegex": ["/tests/.*\\.js$", "_spec\\.js$"]},
    {"testRegex": "(/__tests__/.*|(\\.|/)(test|spec))\\.[jt]sx?$",
     "testPathIgnorePatterns": ["/node_modules/", "<rootDir>/src/"]},
    {"rootDir": "tests", "testMatch": ["<rootDir>/**/*.js"]},
    {"testMatch": ["**/+(tests|e2e)/**/@(a|b)*.*"], "roots": ["<rootDir>"]},
)


def _jest_listed(root: Path, jest: Path) -> set[str]:
    out = subprocess.run(["node", str(jest), "--listTests", "--ci"], cwd=root,
                         capture_output=True, text=True).stdout
    prefix = f"{root.resolve()}/"
    return {line.removeprefix(prefix) for line in out.splitlines() if line.startswith(prefix)}


@pytest.mark.parametrize(("number", "where"),
                         list(product(range(len(CONFIGS)), ("package", "json"))))
def test_the_files_jest_lists_are_the_ones_its_static_config_selects(tmp_path, number, where):
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    config = CONFIGS[number]
    paths = [f"{folder}{name}" for folder, name in product(FOLDERS, NAMES)]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("test('x', () => {});\n")
    files = {"package.json": json.dumps({"name": "p", **({"jest": config} if where == "package"
                                                          else {})})}
    if where == "json":
        files["jest.config.json"] = json.dumps(config)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    listed = _jest_listed(tmp_path, jest)
    selected = jest_tests(files.get)

    assert listed  # the oracle ran
    assert {p for p in paths if selected.runs(p)} == listed


def _tree(root: Path) -> list[str]:
    paths = [f"{folder}{name}" for folder, name in product(FOLDERS, NAMES)]
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("test('x', () => {});\n")
    return paths


# the test script's `jest --config FILE` (rev12 D5): jest reads that file alone, its rootDir
# by default the file's folder; reached through `npm run` too
NAMED = (
    ("jest --config jest.unit.json", "jest.unit.json"),
    ("jest -c ./config/unit.json --ci", "config/unit.json"),
    ("npm run unit", "tests/jest.json"),  # "unit": "npx jest --config=tests/jest.json"
)


@pytest.mark.parametrize(("number", "named"), [  # jest stops on roots missing from a folder
    (n, named) for n, named in product(range(len(CONFIGS)), NAMED)
    if "/" not in named[1] or not {"roots", "rootDir"} & set(CONFIGS[n])])
def test_the_config_the_test_script_names_is_the_one_read(tmp_path, number, named):
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    script, name = named
    scripts = {"test": script, "unit": f"npx jest --config={name}"}
    paths = _tree(tmp_path)
    files = {"package.json": json.dumps({"name": "p", "scripts": scripts,
                                         "jest": {"testMatch": ["**/*.mjs"]}}),
             name: json.dumps(CONFIGS[number])}
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    run = subprocess.run(["node", str(jest), "--config", name, "--listTests", "--ci"],
                         cwd=tmp_path, capture_output=True, text=True)
    prefix = f"{tmp_path.resolve()}/"
    listed = {line.removeprefix(prefix) for line in run.stdout.splitlines()
              if line.startswith(prefix)}
    selected = jest_tests(files.get)

    assert run.returncode == 0, run.stderr  # the oracle ran (config/: its rootDir, no tests)
    assert {p for p in paths if selected.runs(p)} == listed


# `projects`: a fixed-seed sample of pairs of CONFIGS as inline projects, or the second in a
# folder's own jest.config.json named by the folder (one whose roots are there: jest stops on
# a missing root)
PAIRS = random.Random(5).sample([p for p in combinations(range(len(CONFIGS)), 2)
                                 if not {"roots", "rootDir"} & set(CONFIGS[p[1]])], 6)


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("how", ["inline", "folder"])
def test_each_project_selects_its_own_files(tmp_path, pair, how):
    jest = installed(FIXTURES / "jest-service") / "jest" / "bin" / "jest.js"
    paths = _tree(tmp_path)
    files = {}
    if how == "inline":
        projects: list = [CONFIGS[n] for n in pair]
    else:
        projects = [CONFIGS[pair[0]], "<rootDir>/tests"]
        files["tests/jest.config.json"] = json.dumps(CONFIGS[pair[1]])
    files["package.json"] = json.dumps({"name": "p", "jest": {"projects": projects}})
    for path, text in files.items():
        (tmp_path / path).write_text(text)
    listed = _jest_listed(tmp_path, jest)
    selected = jest_tests(files.get)

    assert listed  # the oracle ran
    assert {p for p in paths if selected.runs(p)} == listed
