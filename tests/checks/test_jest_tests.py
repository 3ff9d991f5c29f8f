"""`checks.analyzers.jest_tests` against jest itself: over a fixed product of static jest
configurations (package.json's `jest` key, `jest.config.json`) and file names, a file is
selected exactly when `jest --listTests` lists it."""

from __future__ import annotations

import json
import subprocess
from itertools import product
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
