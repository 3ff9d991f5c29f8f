"""`checks.analyzers.script_tests` against node's own runner: over a fixed product of test
scripts and file names, the files the package's `test` script runs (as `npm test` runs it,
through `sh -c`) are tests, whatever their folder or name (rev11c D2); and those of a script
it reaches through `npm run <name>`, as real `npm test` runs it (rev12 D4)."""

from __future__ import annotations

import json
import os
import random
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


# scripts that reach the runner through other scripts of the package (rev12 D4): `{}` is one
# of SCRIPTS; `npm test` runs them as it runs any script, appending forwarded arguments
INDIRECT = (
    {"test": "npm run unit", "unit": "{}"},
    {"test": "npm run lint && npm run --silent unit", "lint": "true", "unit": "{}"},
    {"test": "npm run-script a", "a": "npm run b", "b": "{}"},
    {"test": "npm run unit -- e2e/a.js", "unit": "{}"},
    {"test": "npm run unit spec/a_spec.js", "unit": "{}"},
    {"test": "NODE_ENV=test npm run -s test:unit -- tests/unit/a-test.js", "test:unit": "{}"},
)
PICKED = [*random.Random(4).sample(SCRIPTS[:-1], 3), SCRIPTS[-1]]


@pytest.mark.parametrize(("form", "script"), list(product(INDIRECT, PICKED)))
def test_the_files_a_script_reached_through_npm_run_runs_are_tests(tmp_path, form, script):
    tree = tmp_path / "pkg"
    paths = _tree(tree)
    mark = tmp_path / "ran"
    mark.write_text("")
    plain = script.replace("npx node", "node")  # the same command, without asking npm
    scripts = {name: text.format(plain) for name, text in form.items()}
    (tree / "package.json").write_text(json.dumps({"name": "p", "scripts": scripts}))
    subprocess.run(["npm", "test", "--silent"], cwd=tree, capture_output=True, text=True,
                   env={**os.environ, "MARK": str(mark), "npm_config_update_notifier": "false",
                        "npm_config_offline": "true"})
    ran = set(mark.read_text().split())
    selected = script_tests((tree / "package.json").read_text())

    assert ran  # the oracle ran
    assert {p for p in paths if collected_test(p) or selected.runs(p)} == \
        {p for p in paths if p in ran or collected_test(p)}


@pytest.mark.parametrize("manager", ["npm run", "pnpm run", "yarn", "yarn run", "npm test"])
def test_scripts_that_run_each_other_in_a_cycle_are_followed_once(manager):
    """npm itself would loop forever; the reading ends, with what the loop's scripts name."""
    scripts = {"test": "node --test spec/a.js && npm run a", "a": f"{manager} b",
               "b": "node --test e2e/*.js; npm run test" if manager != "npm test" else
               "npm test"}
    selected = script_tests(json.dumps({"scripts": scripts}))

    assert selected.runs("spec/a.js")
    assert selected.runs("e2e/a.js") == (manager != "npm test")


# npm runs `pre<name>` and `post<name>` around a script it runs by name (rev13 D4)
HOOKS = (
    {"test": "node --test spec/a.js", "pretest": "{}"},
    {"test": "node --test spec/a.js", "posttest": "{}"},
    {"test": "npm run unit", "unit": "true", "preunit": "{}"},
    {"test": "npm run unit", "unit": "true", "postunit": "{}", "pretest": "true"},
    {"test": "npm run unit -- e2e/a.js", "unit": "node --test spec/a.js", "postunit": "{}"},
)


@pytest.mark.parametrize(("form", "script"), list(product(HOOKS, PICKED)))
def test_the_files_a_pre_or_post_script_runs_are_tests(tmp_path, form, script):
    tree = tmp_path / "pkg"
    paths = _tree(tree)
    mark = tmp_path / "ran"
    mark.write_text("")
    plain = script.replace("npx node", "node")  # the same command, without asking npm
    scripts = {name: text.format(plain) for name, text in form.items()}
    (tree / "package.json").write_text(json.dumps({"name": "p", "scripts": scripts}))
    subprocess.run(["npm", "test", "--silent"], cwd=tree, capture_output=True, text=True,
                   env={**os.environ, "MARK": str(mark), "npm_config_update_notifier": "false",
                        "npm_config_offline": "true"})
    ran = set(mark.read_text().split())
    selected = script_tests((tree / "package.json").read_text())

    assert ran  # the oracle ran
    assert {p for p in paths if collected_test(p) or selected.runs(p)} == \
        {p for p in paths if p in ran or collected_test(p)}
