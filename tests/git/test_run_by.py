"""Changed files of no language that the repository runs or loads as one (`git.run_by`):
generated over the caller kinds (a shell script, a Makefile recipe, a package.json script, a
workflow's `run:`, a Dockerfile's `RUN`) × the interpreters × the path's spellings, each in
a real repository; JavaScript's relative `require`/`import`; and what names no file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import run_by as run_by_module
from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL
from reviewloop.git.run_by import Caller, run_by
from tests.support.repos import init_repo

TARGET = "tools/gen"
# (caller's path, its text around `{cmd}`, the shell that runs the line)
CALLERS = {
    "shell": ("run.sh", "#!/bin/sh\nset -e\n{cmd}\n", "sh"),
    "bash-noext": ("bin/go", "#!/usr/bin/env bash\nset -eu\n\n{cmd} \"$@\"\n", "bash"),
    "makefile": ("Makefile", "all: gen\n\ngen:\n\t@{cmd}\n", "sh"),
    "makefile-mk": ("build/rules.mk", "gen:\n\t-{cmd}\n", "sh"),
    "package-json": ("package.json", '{{"name": "x", "scripts": {{"gen": {json}}}}}\n', "sh"),
    "package-json-pretty": ("package.json",
                            '{{\n  "name": "x",\n  "scripts": {{\n    "gen": {json}\n  }}\n}}\n',
                            "sh"),
    "workflow": (".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: x\n"
                 "    steps:\n      - run: {cmd}\n", "bash"),
    "workflow-block": (".github/workflows/ci.yaml", "on: push\njobs:\n  b:\n    runs-on: x\n"
                       "    steps:\n      - name: gen\n        run: |\n          echo a\n"
                       "          {cmd}\n", "bash"),
    "dockerfile": ("Dockerfile", "FROM alpine:3.19\nCOPY . /src\nWORKDIR /src\nRUN {cmd}\n",
                   "sh"),
}
INTERPRETERS = {"python3": PYTHON, "python": PYTHON, "bash": SHELL, "sh": SHELL,
                "node": JAVASCRIPT, ".": SHELL, "source": SHELL, "": SHELL}
SPELLINGS = ("{p}", "./{p}", '"$DIR"/{p}', '$(dirname "$0")/{p}', "${{ROOT}}/{p}")


def _dialect(interpreter: str, shell: str) -> str | None:
    if INTERPRETERS[interpreter] != SHELL:
        return None
    if interpreter in ("bash", "sh"):
        return interpreter
    return "bash" if interpreter == "source" else shell


def _caller(kind: str, command: str) -> tuple[str, str, int]:
    """(path, text, line of the command) of a caller of kind `kind` running `command`."""
    path, template, _ = CALLERS[kind]
    text = template.format(cmd=command, json=json.dumps(command))
    line = next(n for n, t in enumerate(text.split("\n"), 1) if "tools/gen" in t)
    return path, text, line


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(CALLERS)), st.sampled_from(sorted(INTERPRETERS)),
       st.sampled_from(SPELLINGS))
def test_a_caller_runs_the_file_as_its_interpreter_s_language(kind, interpreter, spelling):
    path = spelling.format(p=TARGET)
    if kind.startswith("makefile-mk") and not spelling.startswith(('"', "$")):
        path = f"../{path.removeprefix('./')}"  # a recipe runs from its Makefile's folder
    if not interpreter and not path.startswith(("./", "../", '"', "$")):
        path = f"./{path}"  # a path run as a command has a slash before its name
    command = f"{interpreter} {path}".strip()
    caller, text, line = _caller(kind, command)
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {caller: text, TARGET: "x = 1\n",
                                               "tools/other": "y\n"})
        found = run_by(root, [TARGET, "tools/other", "README.md"])
    dialect = _dialect(interpreter, CALLERS[kind][2])
    assert found == {TARGET: Caller(INTERPRETERS[interpreter], f"{caller}:{line}", dialect)}


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(CALLERS)), st.sampled_from(("python3", "bash", ".")))
def test_a_path_that_names_another_file_is_nothing(kind, interpreter):
    caller, text, _ = _caller(kind, f"{interpreter} tools/gen2 /{TARGET}-x")
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {caller: text, TARGET: "x = 1\n"})
        assert run_by(root, [TARGET]) == {}


@pytest.mark.parametrize("kind", [k for k in CALLERS if k != "dockerfile"])
def test_an_absolute_path_is_the_tree_s_only_in_an_image(kind, tmp_path):
    caller, text, _ = _caller(kind, f"python3 /{TARGET}")
    root = init_repo(tmp_path / "r", {caller: text, TARGET: "x = 1\n"})
    assert run_by(root, [TARGET]) == {}
    docker, text, line = _caller("dockerfile", f"python3 /src/{TARGET}")
    init_repo(root, {docker: text})
    assert run_by(root, [TARGET]) == {TARGET: Caller(PYTHON, f"Dockerfile:{line}")}


@pytest.mark.parametrize("statement", [
    "const h = require('{p}');", 'const h = require("{p}")', "import h from '{p}';",
    "import '{p}';", "export {{ a }} from '{p}';", "const h = await import('{p}');"])
@pytest.mark.parametrize("target", ["lib/handler", "lib/handler.es6", "lib/handler.txt2"])
def test_javascript_loads_a_relative_path_from_its_own_folder(statement, target, tmp_path):
    line = statement.format(p="./" + target.removeprefix("lib/"))
    root = init_repo(tmp_path / "r", {"lib/server.js": f"'use strict';\n{line}\n",
                                      target: "module.exports = 1;\n",
                                      "handler": "module.exports = 2;\n"})
    assert run_by(root, [target, "handler"]) == {
        target: Caller(JAVASCRIPT, "lib/server.js:2")}


def test_what_node_loads_by_its_own_rule_or_an_ignored_file_loads_is_no_javascript(tmp_path):
    root = init_repo(tmp_path / "r", {
        "a.js": "require('./conf.json'); require('./native.node');\n",
        ".gitignore": "vendor/\n", "conf.json": "{}\n", "native.node": "x\n", "lib/x": "1\n"})
    (root / "vendor").mkdir()
    (root / "vendor" / "b.js").write_text("require('../lib/x');\n")
    assert run_by(root, ["conf.json", "native.node", "lib/x"]) == {}


def test_no_candidate_starts_no_git(tmp_path, monkeypatch):
    """A change whose files all have a kind of their own pays nothing: no process at all."""
    root = init_repo(tmp_path / "r", {"run.sh": ". ./notes.md\n", "notes.md": "x\n"})

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("git ran")

    monkeypatch.setattr(run_by_module.GitCommand, "run", refuse)
    assert run_by(root, []) == {}
    assert run_by(root, ["notes.md", "a.json", "b.txt"]) == {}


def test_a_modeline_or_directive_tells_without_a_caller(tmp_path):
    root = init_repo(tmp_path / "r", {"a": "import os\n# vim: ft=python\n",
                                      "b": "# shellcheck shell=bash\nrm -rf $X\n",
                                      "c": "plain text\n"})
    assert run_by(root, ["a", "b", "c"]) == {
        "a": Caller(PYTHON, "a:2"), "b": Caller(SHELL, "b:1", "bash")}


def test_the_first_caller_in_the_tree_s_order_is_named(tmp_path):
    root = init_repo(tmp_path / "r", {"b.sh": "#!/bin/sh\n. ./lib/x\n",
                                      "a.sh": "#!/bin/bash\necho\nsource lib/x\n",
                                      "lib/x": "y=1\n"})
    assert run_by(root, ["lib/x"]) == {"lib/x": Caller(SHELL, "a.sh:3", "bash")}


def test_a_tracked_caller_a_gitignore_names_is_still_read(tmp_path):
    """A change cannot hide a caller by ignoring it: a tracked file is read whatever a
    `.gitignore` says (git grep's `--untracked` alone passes it over)."""
    root = init_repo(tmp_path / "r", {"run.sh": "#!/bin/sh\n. ./lib/x\n", "lib/x": "y=1\n"})
    (root / ".gitignore").write_text("run.sh\n*.sh\n")
    (root / "new.sh").write_text("#!/bin/sh\nbash lib/y\n")  # untracked, and ignored
    (root / "lib" / "y").write_text("z=1\n")
    assert run_by(root, ["lib/x", "lib/y"]) == {"lib/x": Caller(SHELL, "run.sh:2", "sh")}


def test_an_untracked_caller_and_an_export_without_git(tmp_path):
    root = init_repo(tmp_path / "r", {"lib/x": "y=1\n"})
    (root / "new.sh").write_text("#!/bin/sh\nbash lib/x\n")  # untracked: the change's own
    assert run_by(root, ["lib/x"]) == {"lib/x": Caller(SHELL, "new.sh:2", "bash")}
    export = tmp_path / "export"  # a head commit's files, no repository
    (export / "lib").mkdir(parents=True)
    (export / "lib" / "x").write_text("y=1\n")
    (export / "Makefile").write_text("all:\n\tpython3 lib/x\n")
    assert run_by(export, ["lib/x"]) == {"lib/x": Caller(PYTHON, "Makefile:2")}


@pytest.mark.parametrize("kind", sorted(CALLERS))
def test_past_many_names_the_lines_that_call_are_read(kind, tmp_path):
    """Past `many` names git grep reads the lines of a call instead of the names: the
    same callers are found."""
    caller, text, line = _caller(kind, f"python3 ./{TARGET}")
    others = {f"tools/gen{i}": "x\n" for i in range(4)}
    root = init_repo(tmp_path / "r", {caller: text, TARGET: "x = 1\n", **others})
    assert run_by(root, [TARGET, *others], many=2) == {TARGET: Caller(PYTHON, f"{caller}:{line}")}
