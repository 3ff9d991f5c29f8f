"""The test-changes analyzer: production code changed with no test file in the change."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.test_changes import SOURCE_SUFFIXES, is_production
from reviewloop.checks.coverage.measure import forget
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.checks.paths import looks_like_test
from reviewloop.findings.schema import Severity
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

BASE = {"src/app.py": "def a():\n    return 1\n", "web/ui.ts": "export const a = 1;\n"}
REVIEWER = agent("review-test-quality", ("test-changes",))


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path, BASE)


def test_production_change_without_tests_is_one_finding_on_the_first_file(repo):
    diff = repo.change({"src/app.py": "def a():\n    return 2\n",
                        "web/ui.ts": "export const a = 2;\n", "docs/guide.md": "new\n"})

    findings = run_for_agent(REVIEWER, repo.root, diff).findings

    assert [(f.file, f.start_line, f.severity, f.source, f.rule) for f in findings] == [
        ("src/app.py", 2, Severity.SHOULD_FIX, "test-changes", "no-test-change")]
    assert findings[0].title == "Production code changed with no test change"
    assert "`src/app.py` (and 1 other production file)" in findings[0].rationale
    assert findings[0].agent == "review-test-quality"


@pytest.mark.parametrize("test_file", [
    "tests/test_app.py", "src/app_test.py", "test_app.py", "web/ui.test.ts", "pkg/app_test.go",
    "spec/app_spec.rb", "web/__tests__/ui.js",
])
def test_any_test_file_in_the_change_satisfies_it(repo, test_file):
    diff = repo.change({"src/app.py": "def a():\n    return 2\n", test_file: "// test\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


def test_docs_and_config_alone_need_no_tests(repo):
    diff = repo.change({"README.md": "more\n", "pyproject.toml": "[project]\nname = 'x'\n",
                        "conftest.py": "import pytest\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


def test_a_deletion_alone_has_nothing_to_point_at(repo):
    diff = repo.change({}, delete=("src/app.py",))

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


def test_a_test_file_outside_the_agents_scope_still_counts(repo):
    scoped = agent("review-test-quality", ("test-changes",), exclude=("tests/**",))
    diff = repo.change({"src/app.py": "def a():\n    return 2\n",
                        "tests/test_app.py": "def test_a():\n    pass\n"})

    assert run_for_agent(scoped, repo.root, diff).findings == []


@pytest.mark.parametrize(("path", "expected"), [
    ("src/app.py", True), ("lib/x.go", True), ("ui/App.tsx", True), ("README.md", False),
    ("tests/test_x.py", False), ("conftest.py", False), ("setup.py", False),
    ("config.yaml", False), ("x_test.go", False),
])
def test_is_production(path, expected):
    assert is_production(path) is expected


@pytest.mark.parametrize("new", [
    'def a():\n    """Return one."""\n    return 1\n',  # a docstring
    "def a():\n    # one, always\n    return 1  # see above\n\n",  # comments, a blank line
    "def a():\n  return 1\n",  # whitespace
])
def test_an_edit_that_changes_no_behaviour_needs_no_test(repo, new):
    diff = repo.change({"src/app.py": new, "web/ui.ts": "// the constant\nexport const a = 1;\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


def test_a_renamed_local_or_a_moved_file_needs_no_test(tmp_path):
    repo = Repo(tmp_path, {"src/calc.py": "def f(x):\n    y = x * 2\n    return y\n",
                           "src/old.py": "VALUE = 1\n"})
    repo.git("mv", "src/old.py", "src/new.py")
    diff = repo.change({"src/calc.py": "def f(x):\n    doubled = x * 2\n    return doubled\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


def test_the_first_file_whose_behaviour_changed_is_the_one_named(repo):
    diff = repo.change({"src/app.py": 'def a():\n    """Doc."""\n    return 1\n',
                        "web/ui.ts": "export const a = 2;\n"})

    (finding,) = run_for_agent(REVIEWER, repo.root, diff).findings
    assert (finding.file, finding.rule) == ("web/ui.ts", "no-test-change")
    assert "(and" not in finding.rationale


def test_a_change_the_existing_tests_execute_needs_no_new_test(tmp_path, monkeypatch):
    """With leave to run the tests (`--tests`), new code the suite runs (and passes) is
    tested already; without it, the same change still asks for a test."""
    monkeypatch.setenv("PATH", os.pathsep.join((str(Path(sys.executable).parent),
                                                os.environ.get("PATH", ""))))
    forget()
    repo = Repo(tmp_path, {  # ignored as a project ignores them: the test runs write bytecode
        ".gitignore": "__pycache__/\n",
        "calc/__init__.py": "", "calc/core.py": "def double(x):\n    return x * 2\n",
        "tests/test_core.py": "from calc.core import double\n\n\ndef test_double():\n"
                              "    assert double(2) == 4\n"})
    diff = repo.change({"calc/core.py": "def double(x):\n    return x + x\n"})

    assert run_for_agent(REVIEWER, repo.root, diff, tests=ProjectTests()).findings == []
    (untested,) = run_for_agent(REVIEWER, repo.root, diff).findings
    assert untested.file == "calc/core.py"
    uncovered = repo.change({"calc/core.py": "def double(x):\n    if x > 99:\n"
                                             "        return 0\n    return x + x\n"})
    forget()
    (finding,) = run_for_agent(REVIEWER, repo.root, uncovered, tests=ProjectTests()).findings
    assert finding.rule == "no-test-change"


@settings(max_examples=300, deadline=None)
@given(path=st.lists(st.sampled_from(["src", "tests", "test_a.py", "a.py", "a_test.go", "x.ts",
                                      "conftest.py", "setup.py", ".py", "a.", "b.md", "", ".",
                                      "spec", "a.spec.js", "Main.java", "x.PY"]),
                     min_size=1, max_size=4).map("/".join))
def test_production_code_is_a_source_file_by_its_suffix_that_is_no_test(path: str) -> None:
    """`is_production`, which the analyzer asks of every changed file by name alone, is
    PurePosixPath's reading of the path's suffix and name."""
    pure = PurePosixPath(path)
    expected = pure.suffix in SOURCE_SUFFIXES and pure.name not in (
        "conftest.py", "setup.py", "noxfile.py") and not looks_like_test(path)
    assert is_production(path) == expected


# Files whose lines can each be taken out alone or together, the text staying valid: those
# that run something (True) and those that do not (a comment, a docstring).
CUTTABLE = {
    "lib/strict.cjs": [('"use strict";', True), ("// why", False), ("const a = 1;", True),
                       ("function f() {", None), ("  // inner", False), ("  return this;", True),
                       ("}", None), ("module.exports = f;", True)],
    "web/client.jsx": [('"use client";', True), ("/* note */", False),
                       ("export function B() {", None), ("  return <b>x</b>;", True), ("}", None)],
    "src/mod.py": [('"""Module."""', False), ("# why", False), ("import os", True),
                   ("A = 1", True), ("", None), ("", None), ("def f():", None),
                   ('    """Doc."""', False), ("    # c", False), ("    return A", True)],
}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(path=st.sampled_from(sorted(CUTTABLE)), cut=st.sets(st.integers(0, 9), min_size=1))
def test_a_change_that_only_takes_lines_out_is_judged_by_what_they_did(tmp_path_factory, path,
                                                                      cut):
    """Taking out a line that runs something (`"use strict"`, a call, a return) changes
    behaviour as much as editing it: no test change is a finding, on the place of the cut;
    taking out only comments and docstrings is none."""
    lines = CUTTABLE[path]
    cut = {i for i in cut if i < len(lines) and lines[i][1] is not None}
    if not cut:
        return
    repo = Repo(tmp_path_factory.mktemp("cut"),
                {path: "\n".join(text for text, _ in lines) + "\n"})
    kept = [text for i, (text, _) in enumerate(lines) if i not in cut]
    diff = repo.change({path: "\n".join(kept) + "\n"})

    findings = run_for_agent(REVIEWER, repo.root, diff).findings

    runs = any(lines[i][1] for i in cut)
    assert [(f.file, f.rule) for f in findings] == ([(path, "no-test-change")] if runs else [])
    if runs:
        assert 1 <= findings[0].start_line <= max(len(kept), 1)


# what a PR author can put in a file name that Markdown or GitHub would act on: a mention, an
# issue reference, emphasis, a link, a backtick, an HTML tag
NAME_PARTS = st.sampled_from(["@octocat", "#1 closes #3", "**bold**", "[x](e.com)",
                              "a`b", "``", "<b>", "_u_", "plain", " ", "é"])


@settings(derandomize=True, max_examples=20, deadline=None)
@given(parts=st.lists(NAME_PARTS, min_size=1, max_size=3))
def test_the_named_file_is_code_in_the_rationale_whatever_its_name(parts, tmp_path_factory):
    """The rationale names the PR's file in a code span (CommonMark, as GitHub renders it):
    nothing in the name mentions anyone, links or formats (the fuzzer's `@octocat.py`)."""
    from markdown_it import MarkdownIt

    name = "src/f" + "".join(parts) + ".py"
    repo = Repo(tmp_path_factory.mktemp("repo"), BASE)
    diff = repo.change({name: "def b():\n    return 2\n"})
    (finding,) = run_for_agent(REVIEWER, repo.root, diff).findings
    (inline,) = [t for t in MarkdownIt("commonmark").parse(finding.rationale)
                 if t.type == "inline"]
    spans = [t.content for t in inline.children or [] if t.type == "code_inline"]
    texts = "".join(t.content for t in inline.children or [] if t.type == "text")
    assert spans == [name]
    assert [t.type for t in inline.children or []] == ["text", "code_inline", "text"]
    assert "@" not in texts and "#" not in texts


# The runners' default discovery (rev11 js D5): node's `*-test.js`, `*_test.js`, `test-*.js`,
# `test.js`; Django's `tests.py` where no pytest config is.
@pytest.mark.parametrize("test_file", [
    "lib-test.js", "lib_test.js", "test-lib.js", "test.js", "src/test.mjs", "app/tests.py",
])
def test_a_file_the_runner_collects_by_default_is_the_test_change(repo, test_file):
    diff = repo.change({"src/app.py": "def a():\n    return 2\n", test_file: "// test\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


# Production code under a folder named like tests that no runner collects (rev11 js D10), and
# a module the project's declared pytest `python_files` does not collect.
@pytest.mark.parametrize(("files", "flagged"), [
    ({"src/spec/parser.js": "export const p = 1;\n"}, "src/spec/parser.js"),
    ({"src/tests/fixtures.js": "export const f = 1;\n"}, "src/tests/fixtures.js"),
    ({"pytest.ini": "[pytest]\npython_files = check_*.py\n",
      "app/tests.py": "def helper():\n    return 1\n"}, "app/tests.py"),
])
def test_production_code_no_runner_collects_needs_a_test(repo, files, flagged):
    if "pytest.ini" in files:  # the declared configuration is the base's (trusted)
        repo.change({"pytest.ini": files["pytest.ini"]})
        repo.git("commit", "-qm", "pytest config")
    diff = repo.change({k: v for k, v in files.items() if k != "pytest.ini"})

    assert [f.file for f in run_for_agent(REVIEWER, repo.root, diff).findings] == [flagged]


def test_a_declared_pytest_pattern_names_the_test_change(repo):
    repo.change({"pytest.ini": "[pytest]\npython_files = check_*.py\n"})
    repo.git("commit", "-qm", "pytest config")
    diff = repo.change({"src/app.py": "def a():\n    return 2\n",
                        "tests_unit/check_app.py": "def test_a():\n    pass\n"})

    assert run_for_agent(REVIEWER, repo.root, diff).findings == []


# The files the trusted package's test script hands node's runner (rev11c D2), and the
# trusted pytest `testpaths` collection starts from (rev11c D9), as the analyzer reads them.
@pytest.mark.parametrize(("config", "files", "flagged"), [
    ({"package.json": '{"scripts": {"test": "node --test tests/*.js"}}'},
     {"tests/a.js": "// test\n"}, []),
    ({"package.json": '{"scripts": {"test": "node --test spec/*.js e2e/a.js"}}'},
     {"e2e/a.js": "// test\n"}, []),
    ({"package.json": '{"scripts": {"test": "mocha spec"}}'}, {"spec/a.js": "// test\n"}, []),
    ({"package.json": '{"scripts": {"test": "node --test tests/*.js"}}'},
     {"spec/a.js": "// not run\n"}, ["spec/a.js"]),
    ({"package.json": '{"jest": {"testMatch": ["**/e2e/**/*.js"]}}'},
     {"e2e/flow.js": "// test\n"}, []),
    ({"jest.config.json": '{"roots": ["<rootDir>/spec"], "testRegex": "/spec/.*\\\\.js$"}'},
     {"spec/a.js": "// test\n"}, []),
    ({"pytest.ini": "[pytest]\npython_files = *.py\ntestpaths = tests\n",
      "tests/test_app.py": "def test_a():\n    pass\n"}, {}, ["src/app.py"]),
])
def test_the_trusted_runner_selection_names_the_test_change(repo, config, files, flagged):
    repo.change(config)
    repo.git("commit", "-qm", "runner config")
    diff = repo.change({"src/app.py": "def a():\n    return 2\n", **files})

    assert [f.file for f in run_for_agent(REVIEWER, repo.root, diff).findings] == flagged


@pytest.mark.parametrize(("config", "script"), [
    ("jest.config.js", None), ("jest.config.ts", None), ("vitest.config.mts", None),
    ("config/jest.unit.js", "jest --config config/jest.unit.js"),  # rev12 D5
    ("jest.e2e.cjs", "npm run e2e"),  # "e2e": "jest -c ./jest.e2e.cjs"
])
def test_a_runner_config_that_is_code_is_named_as_not_read(repo, config, script):
    scripts = {"test": script, "e2e": f"jest -c ./{config}"} if script else None
    repo.change({config: "export default { testMatch: ['**/e2e/*.js'] };\n",
                 **({"package.json": json.dumps({"scripts": scripts})} if scripts else {})})
    repo.git("commit", "-qm", "runner config")
    diff = repo.change({"web/ui.ts": "export const a = 2;\n", "e2e/flow.js": "// test\n"})
    [finding] = run_for_agent(REVIEWER, repo.root, diff).findings
    repo.git("reset", "-q", "--hard")
    python = repo.change({"src/app.py": "def a():\n    return 2\n"})

    assert f"`{config}` is code and was not read" in finding.rationale
    [only_python] = run_for_agent(REVIEWER, repo.root, python).findings
    assert "not read" not in only_python.rationale


# the test script's jest command narrows what jest runs (`jest src/`, `--selectProjects`): a
# test file it leaves out is not the change's test; each script a runner's chain reaches, and
# a runner behind a coverage wrapper, names its files (`run-s`, `c8`)
_PROJECTS = {"projects": [{"displayName": "unit", "testMatch": ["<rootDir>/src/**/*.test.js"]},
                          {"displayName": "e2e", "testMatch": ["<rootDir>/e2e/**/*.test.js"]}]}


@pytest.mark.parametrize(("scripts", "jest", "test", "flagged"), [
    ({"test": "jest src/"}, None, "src/a.test.js", []),
    ({"test": "jest src/"}, None, "e2e/a.test.js", ["e2e/a.test.js"]),  # the first changed
    ({"test": "jest --selectProjects unit"}, _PROJECTS, "e2e/a.test.js", ["e2e/a.test.js"]),
    ({"test": "jest --selectProjects e2e"}, _PROJECTS, "e2e/a.test.js", []),
    ({"test": "run-s lint test:*", "lint": "eslint .", "test:unit": "mocha spec"}, None,
     "spec/flow.js", []),
    ({"test": "c8 --reporter=lcov node --test checks/*.js"}, None, "checks/flow.js", []),
    ({"test": "jest src/ && vitest run"}, None, "e2e/a.test.js", []),  # vitest's: not read
])
def test_the_test_script_s_own_selection_decides_the_test_change(repo, scripts, jest, test,
                                                                  flagged):
    repo.change({"package.json": json.dumps({"scripts": scripts,
                                             **({"jest": jest} if jest else {})})})
    repo.git("commit", "-qm", "test script")
    diff = repo.change({"web/ui.ts": "export const a = 2;\n", test: "// test\n"})

    assert [f.file for f in run_for_agent(REVIEWER, repo.root, diff).findings] == flagged


@pytest.mark.parametrize(("jest", "script", "named"), [
    (None, "jest --findRelatedTests web/ui.ts", "jest --findRelatedTests"),
    (None, "jest -o", "jest --onlyChanged"),
    ({"projects": ["<rootDir>/packages/*"]}, "jest", "jest project <rootDir>/packages/*"),
    ({"projects": ["<rootDir>/jest.unit.js"]}, "jest", "jest project <rootDir>/jest.unit.js"),
])
def test_a_test_selection_not_read_is_named(repo, jest, script, named):
    repo.change({"package.json": json.dumps({"scripts": {"test": script},
                                             **({"jest": jest} if jest else {})})})
    repo.git("commit", "-qm", "test script")
    diff = repo.change({"web/ui.ts": "export const a = 2;\n", "checks/flow.js": "// test\n"})
    [finding] = run_for_agent(REVIEWER, repo.root, diff).findings

    assert f"What `{named}` selects was not read here" in finding.rationale
