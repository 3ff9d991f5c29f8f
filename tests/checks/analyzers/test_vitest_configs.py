"""`checks.analyzers.jest_tests.unread_configs` against vitest itself: over a fixed product
of where a project puts vitest's `test.include` (`vitest.config.*`, `vite.config.*`, a file
the test script names with `--config`) and what it includes, every file `vitest list` lists
is a test reviewloop reads (the runners' default names) or the configuration vitest read is
named as not read; a `vite.config.*` is named only when the test script runs vitest."""

from __future__ import annotations

import json
import subprocess
from itertools import product

import pytest

from reviewloop.checks.analyzers.jest_tests import jest_tests, unread_configs
from reviewloop.checks.paths import collected_test
from tests.support.npm_fixture import project

PATHS = ("src/a.test.ts", "e2e/flow.js", "checks/b.check.ts", "src/c.ts", "spec/d.spec.ts")
# (the config file, the test script), `{}` the file
PLACES = (("vitest.config.ts", "vitest run"), ("vite.config.ts", "vitest run"),
          ("vite.config.mjs", "npx vitest run"), ("config/vt.config.ts", "vitest run -c {}"),
          ("config/vt.config.mts", "vitest run --config={}"))
INCLUDES = (["e2e/**/*.js"], ["**/*.check.ts", "src/**"], None)


@pytest.mark.npm
@pytest.mark.parametrize(("place", "include"), list(product(PLACES, INCLUDES)))
def test_a_file_vitest_lists_is_read_as_a_test_or_its_config_is_named(tmp_path, place,
                                                                       include):
    root = project("vitest-service", tmp_path / "p")
    (root / "vitest.config.ts").unlink()
    name, script = place
    test = {"include": include} if include else {}
    config = f'export default {{ test: {json.dumps(test)} }};\n'
    files = {name: config, "package.json": json.dumps({
        "name": "p", "type": "module", "scripts": {"test": script.format(name)}})}
    tests = dict.fromkeys(PATHS, "import {test} from 'vitest'; test('x', () => {});\n")
    for path, text in {**files, **tests}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    vitest = root / "node_modules" / "vitest" / "vitest.mjs"
    argv = script.format(name).partition("vitest run")[2].split()  # its options
    run = subprocess.run(["node", str(vitest), "list", "--filesOnly", *argv], cwd=root,
                         capture_output=True, text=True, timeout=300)
    listed = {line.strip() for line in run.stdout.splitlines() if line.strip() in PATHS}
    read = lambda path: files.get(path)  # noqa: E731 - the trusted side's files
    named = unread_configs(read)
    selected = jest_tests(read)
    unseen = {p for p in listed if not (collected_test(p) or selected.runs(p))}

    assert listed, run.stdout + run.stderr  # the oracle ran
    assert not unseen or name in named, (unseen, named)
    assert name in named  # where vitest reads its `test` key, it is named


def test_a_vite_config_is_not_named_when_no_vitest_runs():
    files = {"vite.config.ts": "export default {};\n",
             "package.json": json.dumps({"scripts": {"test": "jest"}})}

    assert unread_configs(files.get) == ()
