"""Build and test command detection on temp dirs shaped like each kind of project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.gates.detect import (
    DetectedCommands,
    detect_commands,
    gate_commands,
    make_targets,
)
from reviewloop.config import Gates


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def package_json(scripts: dict[str, str]) -> str:
    return json.dumps({"name": "demo", "version": "1.0.0", "scripts": scripts}, indent=2)


NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1'


@pytest.mark.parametrize(("files", "evidence"), [
    ({"pyproject.toml": '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'},
     "pyproject.toml [tool.pytest]"),
    ({"pytest.ini": "[pytest]\ntestpaths = tests\n"}, "pytest.ini"),
    ({"setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n"},
     "setup.cfg [tool:pytest]"),
    ({"tox.ini": "[tox]\nenvlist = py311\n"}, "tox.ini"),
    ({"conftest.py": ""}, "conftest.py"),
    ({"tests/conftest.py": "import pytest\n"}, "tests/conftest.py"),
    ({"tests/unit/test_models.py": "def test_x(): pass\n"}, "tests/ with test files"),
    ({"test/models_test.py": "def test_x(): pass\n"}, "test/ with test files"),
    # pytest collects these by name anywhere in the tree, outside tests/ and test/ too
    ({"mod.py": "X = 1\n", "test_mod.py": "def test_x(): pass\n"},
     "test_mod.py, a test file pytest collects"),
    ({"feature_test.py": "def test_x(): pass\n"}, "feature_test.py, a test file pytest collects"),
    ({"app/tests/test_feature.py": "def test_x(): pass\n"},
     "app/tests/test_feature.py, a test file pytest collects"),
    ({"src/pkg/__init__.py": "", "src/pkg/test_feature.py": "def test_x(): pass\n"},
     "src/pkg/test_feature.py, a test file pytest collects"),
    ({"testing/test_feature.py": "def test_x(): pass\n", "a/b_test.py": ""},
     "a/b_test.py, a test file pytest collects"),
])
def test_pytest_projects(tmp_path, files, evidence):
    found = detect_commands(project(tmp_path, files))
    assert found == DetectedCommands(build=(), test=("python -m pytest",),
                                     reason=f"detected pytest ({evidence})")


def test_pytest_uses_the_project_virtualenv(tmp_path):
    project(tmp_path, {"pytest.ini": "[pytest]\n", ".venv/bin/python": ""})
    assert detect_commands(tmp_path).test == (".venv/bin/python -m pytest",)


def test_python_project_without_tests_detects_nothing(tmp_path):
    project(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n', "src/x/__init__.py": "",
                       "setup.cfg": "[metadata]\nname = x\n", "tests/helpers.py": "",
                       "src/x/testing.py": "", "src/x/contest_x.py": "",
                       # installed or hidden code is not the project's tests
                       ".venv/lib/site-packages/y/test_y.py": "", "node_modules/z/test_z.py": "",
                       ".tox/test_t.py": "", "venv/test_v.py": ""})
    assert detect_commands(tmp_path) == DetectedCommands(
        (), (), "no pytest, npm, go, cargo, maven, gradle or make project found")


def test_npm_with_test_and_build_scripts(tmp_path):
    project(tmp_path, {"package.json": package_json({"build": "tsc -p .", "test": "jest"})})
    assert detect_commands(tmp_path) == DetectedCommands(
        build=("npm run build --silent",), test=("npm test --silent",),
        reason="detected npm (package.json: no lockfile → npm, scripts.build, scripts.test)")


def test_npm_init_placeholder_is_not_a_test_suite(tmp_path):
    project(tmp_path, {"package.json": package_json({"test": NPM_INIT_TEST})})
    assert detect_commands(tmp_path).test == ()


def test_npm_placeholder_with_a_build_script_keeps_the_build(tmp_path):
    project(tmp_path, {"package.json": package_json({"test": NPM_INIT_TEST,
                                                     "build": "vite build"})})
    found = detect_commands(tmp_path)
    assert (found.build, found.test) == (("npm run build --silent",), ())
    assert found.reason == "detected npm (package.json: no lockfile → npm, scripts.build)"


@pytest.mark.parametrize("text", ["{not json", '["a list"]', '{"scripts": "nope"}'])
def test_broken_package_json_is_ignored(tmp_path, text):
    project(tmp_path, {"package.json": text})
    assert detect_commands(tmp_path).test == ()


def test_go_module(tmp_path):
    project(tmp_path, {"go.mod": "module example.com/shop\n\ngo 1.22\n"})
    assert detect_commands(tmp_path) == DetectedCommands(
        build=("go build ./...",), test=("go test ./...",), reason="detected go (go.mod)")


@pytest.mark.parametrize(("files", "runner", "build", "test"), [
    ({"pom.xml": "<project/>"}, "maven (pom.xml)", "mvn -B -q compile", "mvn -B test"),
    ({"pom.xml": "<project/>", "mvnw": "#!/bin/sh\n"}, "maven (pom.xml)",
     "./mvnw -B -q compile", "./mvnw -B test"),
    ({"build.gradle": "plugins { id 'java' }\n"}, "gradle (build.gradle)", "gradle assemble",
     "gradle test"),
    ({"build.gradle.kts": "plugins { java }\n", "gradlew": "#!/bin/sh\n"},
     "gradle (build.gradle.kts)", "./gradlew assemble", "./gradlew test"),
])
def test_java_builds_use_their_wrapper_when_the_project_has_one(tmp_path, files, runner,
                                                                 build, test):
    project(tmp_path, files)
    assert detect_commands(tmp_path) == DetectedCommands(
        build=(build,), test=(test,), reason=f"detected {runner}")


def test_cargo_crate(tmp_path):
    project(tmp_path, {"Cargo.toml": '[package]\nname = "calc"\nversion = "0.1.0"\n'})
    assert detect_commands(tmp_path) == DetectedCommands(
        build=("cargo build",), test=("cargo test",), reason="detected cargo (Cargo.toml)")


MAKEFILE = """\
PYTHON ?= python3
SRC := $(wildcard src/*.c)

.PHONY: build test clean

build: $(SRC)
\tcc -o app $(SRC)

test: build
\t./run-tests.sh

clean:
\trm -f app
"""


def test_makefile_targets(tmp_path):
    project(tmp_path, {"Makefile": MAKEFILE})
    assert detect_commands(tmp_path) == DetectedCommands(
        build=("make build",), test=("make test",),
        reason="detected make (Makefile targets: build, test)")


def test_makefile_check_target_is_the_test_command(tmp_path):
    project(tmp_path, {"GNUmakefile": "check:\n\t./configure && ./runtests\n"})
    found = detect_commands(tmp_path)
    assert (found.build, found.test) == ((), ("make check",))


def test_makefile_without_known_targets_detects_nothing(tmp_path):
    project(tmp_path, {"Makefile": "all:\n\tcc main.c\n\ntest_data := fixtures\n"})
    assert detect_commands(tmp_path).test == ()


def test_language_runner_wins_over_make_and_make_fills_the_gap(tmp_path):
    project(tmp_path, {"pytest.ini": "[pytest]\n", "Makefile": MAKEFILE})
    found = detect_commands(tmp_path)
    assert found.test == ("python -m pytest",)
    assert found.build == ("make build",)
    assert found.reason == "detected pytest (pytest.ini), make (Makefile targets: build)"


def test_polyglot_repository_runs_every_suite(tmp_path):
    project(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options]\n",
                       "package.json": package_json({"test": "vitest run"}),
                       "go.mod": "module x\n"})
    found = detect_commands(tmp_path)
    assert found.test == ("python -m pytest", "npm test --silent", "go test ./...")
    assert found.build == ("go build ./...",)


def test_make_targets_parsing():
    text = "a b: c\n\tx\nVAR = y:z\nOTHER := 1\nlint:: \n\truff .\n%.o: %.c\n\tcc\n"
    assert make_targets(text) == {"a", "b", "lint"}


def test_configured_commands_are_used_as_given(tmp_path):
    project(tmp_path, {"pytest.ini": "[pytest]\n"})
    gates = Gates(build=("make dist",), test=("tox -e py311",))
    assert gate_commands(tmp_path, gates) == DetectedCommands(
        ("make dist",), ("tox -e py311",), "configured in gates.build and gates.test")


def test_empty_list_turns_a_gate_off_and_the_other_is_detected(tmp_path):
    project(tmp_path, {"go.mod": "module x\n"})
    found = gate_commands(tmp_path, Gates(build=()))
    assert found.build == ()
    assert found.test == ("go test ./...",)
    assert found.reason == "gates.build configured; detected go (go.mod)"


def test_unset_gates_are_detected(tmp_path):
    project(tmp_path, {"Cargo.toml": "[package]\n"})
    assert gate_commands(tmp_path, Gates()) == detect_commands(tmp_path)
