"""`checks.analyzers.script_tests` against node's own runner: over a fixed product of test
scripts and file names, the files the package's `test` script runs (as `npm test` runs it,
through `sh -c`) are tests, whatever their folder or name (rev11c D2)."""

from __future__ import annotations

import json
import os
import subprocess
from itertools import product
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.script_tests import script_tests
from reviewloop.checks.paths import collected_test

FOLDERS = ("", "src/", "tests/", "spec/", "e2e/", "test/", "tests/unit/", "spec/e2e/")
NAMES = ("a", "a.test", "a-test", "helper", "test", "a_spec")
SCRIPTS = (
    "node --test tests/*.js",
    "node --test spec/a.js e2e/*.js",
    "node --test --test-reporter=tap tests/**/*.js",
    "node --test --import=./e2e/helper.js tests/unit/*.js",
    "FORCE=1 node --test --test-concurrency 1 ./spec/*/*.js && echo done",
    "node --test tests/ e2e/a?test.js",
    "node --test --require ./tests/helper.js spec/*spec.js",
    "npx node --test tests/unit/[ah]*.js; node --test e2e/helper.js",
    "node --test",
)


def _tree(root: Path) -> list[str]:
    paths = [f"{folder}{name}.js" for folder, name in product(FOLDERS, NAMES)]
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(
            'require("node:fs").appendFileSync(process.env.MARK, '
            f'{json.dumps(path)} + "\\n");\n')
    return paths


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_files_the_test_script_runs_are_tests(tmp_path, script):
    tree = tmp_path / "pkg"
    paths = _tree(tree)
    mark = tmp_path / "ran"
    mark.write_text("")
    plain = script.replace("npx node", "node")  # the same command, without asking npm
    subprocess.run(["sh", "-c", plain], cwd=tree, capture_output=True, text=True,
                   env={**os.environ, "MARK": str(mark)})
    ran = set(mark.read_text().split())
    selected = script_tests(json.dumps({"scripts": {"test": script}}))

    assert ran  # the oracle ran
    assert {p for p in paths if collected_test(p) or selected.runs(p)} == \
        {p for p in paths if p in ran or collected_test(p)}
