"""A module named like a test that production code loads keeps its `assert` finding (B101),
however it is loaded; plain `bandit -r .` reports it everywhere. Production loads the check
could not see dropped it (second reviewer's D3, first reviewer's M1): names held in another
file, entry points, a star import through `__all__`, an aliased loader,
`pkgutil.resolve_name`, `__import__`'s `fromlist`, a test-named module in between, a
script's sibling, a suffixless `python` script, `spec_from_file_location`.

A fixed product: loading forms × where the module lives (a package, a `src/` layout) × the
loader or module aliased or not. The oracle is plain `bandit -r .` on the head: every assert
it reports in a loaded module is a finding. A plain pytest-only test file (`tests/`, and a
test module no one loads when no load is blind) still has its asserts left out, with the
count, so the feature still works."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.plain_bandit import b101_counts

ASSERTS = ("def main(x=1):\n    assert x\n    return x\n\n\n"
           "def f(x=1):\n    assert x\n    return x\n")
PLACES = {"package": "", "src": "src/"}
Form = Callable[[str, str, bool], dict[str, str]]  # (folder, stem, aliased) → the loader's files


def _settings(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    load = "from importlib import import_module as load\n" if aliased else \
        "import importlib\n\nload = importlib.import_module\n"
    return {f"{folder}/settings_{stem}.py": f"PLUGINS = ['app.{stem}']\n",
            f"{folder}/loader_{stem}.py": f"{load}from app.settings_{stem} import PLUGINS\n\n"
                                          "MODULES = [load(p) for p in PLUGINS]\n"}


def _spec(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    load = "from importlib.util import spec_from_file_location as locate\n" if aliased else \
        "from importlib.util import spec_from_file_location\n\nlocate = spec_from_file_location\n"
    return {f"{folder}/loader_{stem}.py": f"{load}\nSPEC = locate('m', __file__ + '/../x.py')\n"}


def _entry(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    table = '[project.entry-points."x.plugins"]' if aliased else "[project.scripts]"
    return {"pyproject.toml": f'[project]\nname = "x"\nversion = "0"\n\n{table}\n'
                              f'x = "app.{stem}:main"\n'}


def _resolve(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    load = "from pkgutil import resolve_name as find\n" if aliased else "import pkgutil\n"
    call = f"find('app.{stem}:f')" if aliased else f"pkgutil.resolve_name('app.{stem}:f')"
    return {f"{folder}/loader_{stem}.py": f"{load}\nF = {call}\n"}


def _import(text: str) -> Form:
    def files(folder: str, stem: str, aliased: bool) -> dict[str, str]:
        line = text.format(stem=stem) + (" as m" if aliased else "")
        return {f"{folder}/user_{stem}.py": f"{line}\n"}
    return files


def _fromlist(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    load = "load = __import__\n\n" if aliased else ""
    call = "load" if aliased else "__import__"
    return {f"{folder}/user_{stem}.py": f"{load}M = {call}('app', fromlist=['{stem}'])\n"}


def _star(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    star = "from . import \\\n    *" if aliased else "from app import *"
    return {f"{folder}/__init__.py": f"__all__ = ['{stem}']\n",
            f"{folder}/user_{stem}.py": f"{star}\n"}


def _relay(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    use = "import app.test_middle as m" if aliased else "from app import test_middle"
    return {f"{folder}/test_middle.py": f"from app import {stem}\n",
            f"{folder}/user_{stem}.py": f"{use}\n"}


def _script(folder: str, stem: str, aliased: bool) -> dict[str, str]:
    return {"bin/tool": f"#!/usr/bin/env python3\nfrom app import {stem}"
                        f"{' as m' if aliased else ''}\n"}


# name → (the form, whether its target cannot be told: then it may load any module)
FORMS: dict[str, tuple[Form, bool]] = {
    "import": (_import("import app.{stem}"), False),
    "from": (_import("from app import {stem}"), False),
    "sibling": (_import("import {stem}"), False),
    "star": (_star, False),
    "fromlist": (_fromlist, False),
    "entry": (_entry, False),
    "resolve": (_resolve, False),
    "relay": (_relay, False),
    "script": (_script, False),
    "settings": (_settings, True),
    "spec": (_spec, True),
}
CASES = list(itertools.product(FORMS, PLACES, (False, True)))
# what is told is gathered in one repository for each place and alias; a blind load has its own
GROUPS = sorted({(p, a, f if FORMS[f][1] else "") for f, p, a in CASES})


@pytest.mark.parametrize(("place", "aliased", "blind"), GROUPS)
def test_a_loaded_test_named_module_keeps_its_asserts(tmp_path: Path, place: str,
                                                      aliased: bool, blind: str) -> None:
    folder = f"{PLACES[place]}app"
    files = {f"{folder}/__init__.py": "", "tests/__init__.py": "",
             "tests/test_plain.py": f"from app.main import run\n\n\n{ASSERTS}"}
    loaded = []
    for form, where, alias in CASES:
        if (where, alias) != (place, aliased) or (FORMS[form][1] and form != blind) \
                or (blind and form != blind):
            continue
        stem = f"test_{form}"
        files.update(FORMS[form][0](folder, stem, alias))
        files[f"{folder}/{stem}.py"] = ASSERTS
        loaded.append(f"{folder}/{stem}.py")
    if not blind:  # a test module no one loads, beside them
        files[f"{folder}/test_lonely.py"] = ASSERTS
    files[f"{folder}/main.py"] = "def run():\n    return 1\n"
    repo = Repo(tmp_path / "r", {"README.md": "x\n"})
    diff = repo.change(files)
    counts = b101_counts(repo.root)

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    health = next(h for h in report.health if h.name == "bandit")
    assert health.status == "ok", health
    shown = {p: len([f for f in report.findings if f.file == p and f.rule == "B101"])
             for p in counts}
    assert loaded and all(counts.get(p) for p in loaded), counts
    assert {p: shown[p] for p in loaded} == {p: counts[p] for p in loaded}, health.left_out
    left = ["tests/test_plain.py", *([] if blind else [f"{folder}/test_lonely.py"])]
    assert {p: (shown[p], (health.left_out.get(p) or "").split(" ", 1)[0]) for p in left} \
        == {p: (0, str(counts[p])) for p in left}
