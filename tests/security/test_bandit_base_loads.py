"""A pre-existing `assert` (B101) in a test-named module production code loads is not
introduced by a change to that module. The base run gets a copy holding the asked files
only, so the import check found no importer there, left the base's B101 out, and the head's
came out as introduced on every change to the file (first reviewer's L2).

A fixed product: how production loads the module (an import, `importlib.import_module`, an
entry point) × where it lives (a package, a `src/` layout). The oracle: plain `bandit -r .`
reports the assert on the base and the head alike; the review buckets it as it buckets the
same module under a plain name (`utils.py`, no test-code question at all)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.project_rules import found, reviewed

ASSERTS = "def main(x=1):\n    assert x\n    return x\n"
LOADS = {  # the files that load `app.{stem}`, as templates
    "import": {"{folder}/main_{stem}.py": "from app import {stem}\n"},
    "import_module": {"{folder}/main_{stem}.py":
                      "import importlib\n\nM = importlib.import_module('app.{stem}')\n"},
    "entry": {"pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n\n[project.scripts]\n"
                                "x = 'app.test_utils:main'\ny = 'app.utils:main'\n"},
}
PLACES = {"package": "app", "src": "src/app"}


@pytest.mark.parametrize(("load", "place"), list(itertools.product(LOADS, PLACES)))
def test_a_pre_existing_assert_in_a_loaded_test_module_is_not_introduced(
        tmp_path: Path, load: str, place: str) -> None:
    folder = PLACES[place]
    base = {f"{folder}/__init__.py": ""}
    for stem in ("test_utils", "utils"):
        base.update({k.format(folder=folder, stem=stem): v.format(stem=stem)
                     for k, v in LOADS[load].items()})
        base[f"{folder}/{stem}.py"] = ASSERTS
    change = {f"{folder}/{stem}.py": f"{ASSERTS}\n\ndef other():\n    return 2\n"
              for stem in ("test_utils", "utils")}

    report = reviewed(tmp_path / "r", base, change)

    named = found(report, "bandit", f"{folder}/test_utils.py").get(("B101", 2))
    plain = found(report, "bandit", f"{folder}/utils.py").get(("B101", 2))
    assert (named, plain) == ("out_of_scope", "out_of_scope")
