"""`checks.analyzers.run_all`: the scripts an `npm-run-all` / `run-s` / `run-p` pattern names,
against npm-run-all's own matching (minimatch over the name with `:` and `/` swapped,
`nonegate`, run here with npm's minimatch); a chain of them selects what the same scripts run
by `npm run` one after the other select; a coverage wrapper in front of a runner is seen
through."""

from __future__ import annotations

import json
import random
import subprocess
from itertools import product

import pytest

from reviewloop.checks.analyzers.run_all import run_all_calls
from reviewloop.checks.analyzers.script_tests import script_tests
from tests.support.npm_fixture import FIXTURES, installed

NAMES = ("test", "test:unit", "test:e2e", "test:unit:fast", "lint", "lint:js", "build",
         "test-unit", "pretest", "unit/x", "test:e2e:b")
# npm-run-all's pattern spellings: plain, `*` within a `:` part, `**` across them, braces,
# extglobs, classes, `!` (literal under `nonegate`)
PATTERNS = ("test", "test:*", "test:**", "*", "**", "test:{unit,e2e}", "test:+(unit|e2e)",
            "test:*:*", "lint:*", "test:[ue]*", "*:unit", "test?unit", "!lint", "unit/x",
            "test:e2e*", "@(lint|build)")
_SCRIPT = """
const {Minimatch} = require(process.argv[1]);
const [patterns, names] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const swap = s => s.replace(/[:/]/g, c => c === ':' ? '/' : ':');  // npm-run-all's swap
const out = {};
for (const p of patterns) {
  const m = new Minimatch(swap(p), {nonegate: true});
  out[p] = names.filter(n => m.match(swap(n)));
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.npm
def test_a_pattern_names_the_scripts_npm_run_all_matches():
    modules = installed(FIXTURES / "minimatch-oracle")
    proc = subprocess.run(["node", "-e", _SCRIPT, str(modules / "minimatch")],
                          input=json.dumps([PATTERNS, NAMES]), capture_output=True, text=True,
                          check=True, timeout=120)
    expected = json.loads(proc.stdout)

    for pattern in PATTERNS:
        calls = run_all_calls(["run-s", pattern], NAMES) or ()
        assert [c.removeprefix("npm run ") for c in calls] == expected[pattern], pattern


SCRIPTS = {"lint": "eslint .", "test:unit": "node --test tests/unit/*.js",
           "test:e2e": "mocha e2e", "test:e2e:slow": "node --test spec/a.js",
           "build": "tsc", "check": "node --test tests/*.js --test-reporter=tap"}
# each spelling of an npm-run-all command with its options, and the scripts it runs
FORMS = (
    ("run-s lint test:*", ("lint", "test:unit", "test:e2e")),
    ("run-p -c --max-parallel 2 'test:**'", ("test:unit", "test:e2e", "test:e2e:slow")),
    ("npm-run-all -s build -p 'test:{unit,e2e}' --print-label", ("build", "test:unit",
                                                                 "test:e2e")),
    ("npx run-s --npm-path npm check test:e2e:*", ("check", "test:e2e:slow")),
    ("npm-run-all2 --silent -l test:unit check", ("test:unit", "check")),
    ("run-s 'test:e2e -- e2e/x.js' -- ignored", ("test:e2e",)),
)


@pytest.mark.parametrize(("command", "names"), FORMS)
def test_an_npm_run_all_chain_selects_what_its_scripts_run_by_npm_run_select(command, names):
    paths = [f"{folder}{name}" for folder, name in
             product(("", "tests/", "tests/unit/", "e2e/", "spec/"), ("a.js", "x.js", "b.ts"))]
    chained = script_tests(json.dumps({"scripts": {**SCRIPTS, "test": command}}))
    extra = " -- e2e/x.js" if "'test:e2e --" in command else ""
    plain = " && ".join(f"npm run {name}{extra}" for name in names)
    one_by_one = script_tests(json.dumps({"scripts": {**SCRIPTS, "test": plain}}))

    assert [p for p in paths if chained.runs(p)] == [p for p in paths if one_by_one.runs(p)]
    assert any(one_by_one.runs(p) for p in paths)


RUNNERS = ("node --test tests/*.js", "mocha spec --recursive", "node --test e2e/a.js",
           "npx mocha e2e/*.js")
# c8's and nyc's options as their docs spell them, with and without a value
WRAPPERS = ("c8", "c8 --reporter=lcov", "c8 -r html -r text", "c8 --all --check-coverage "
            "--lines 80", "npx c8 --100", "nyc", "nyc --reporter=text-summary",
            "nyc -r lcov --temp-dir .nyc", "nyc --all --include src -x dist", "c8 nyc",
            "nyc --silent --", "cross-env CI=1 c8 -o cov")


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_coverage_wrapper_runs_the_same_tests_as_its_runner(wrapper):
    paths = [f"{folder}{name}" for folder, name in
             product(("", "tests/", "spec/", "spec/x/", "e2e/"), ("a.js", "b.mjs", "c.ts"))]
    for runner in random.Random(wrapper).sample(RUNNERS, 2):
        wrapped = script_tests(json.dumps({"scripts": {"test": f"{wrapper} {runner}"}}))
        plain = script_tests(json.dumps({"scripts": {"test": runner}}))

        assert [p for p in paths if wrapped.runs(p)] == [p for p in paths if plain.runs(p)]
        assert any(plain.runs(p) for p in paths)


@pytest.mark.parametrize("command", ["c8 report", "nyc report --reporter=lcov",
                                     "nyc check-coverage --lines 90", "c8"])
def test_a_wrapper_s_own_command_runs_no_test(command):
    selected = script_tests(json.dumps({"scripts": {"test": f"{command} && node --test x.js"}}))

    assert selected.files == (("x.js", False),)
