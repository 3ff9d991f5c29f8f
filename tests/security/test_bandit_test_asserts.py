"""bandit's `assert` finding (B101) is left out in test code only, never in a file
production code imports, and never without a trace. A production module named like a test
(`src/app/test_utils.py`, imported by the app) lost its B101 with no word while plain
`bandit -r .` reports it (fuzz round 6, D8).

A fixed product: file names (`test_*.py`, `*_test.py`, `check_*.py`, `tests.py`,
`conftest.py`, `testing.py`) × folders (`src/app`, `lib`, `tests`) × the project's pytest
configuration (none; `python_files` in `pyproject.toml`; `testpaths` in `pytest.ini`; both
in `setup.cfg`) × who imports the file (nobody; a production module by an absolute import,
a relative one or `importlib.import_module`; a test module). The oracles are the plain
tools: `bandit -r .` says how many asserts each file holds, `pytest --collect-only` which
files are test modules under that configuration (with `conftest.py` and the `tests/`
folder, the test code bandit's users keep B101 out of). Every assert bandit reports is a
finding or counted as left out in bandit's health, with the reason; left out only in test
code no production module imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.plain_bandit import b101_counts

CODE = "def check(x):\n    assert x\n    return x\n\n\ndef test_check():\n    assert check(1)\n"
FOLDERS = {"src/app": ("app", "alpha"), "lib": ("lib", "beta"), "tests": ("tests", "gamma")}
NAMES = ("test_{}.py", "{}_test.py", "check_{}.py", "tests.py", "conftest.py", "testing.py")
CONFIGS = (
    {},
    {"pyproject.toml": '[project]\nname = "x"\n\n[tool.pytest.ini_options]\n'
                       'python_files = ["check_*.py"]\n'},
    {"pytest.ini": "[pytest]\ntestpaths = tests\n"},
    {"setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\n"
                  "python_files = tests.py test_*.py *_test.py\ntestpaths = src lib\n"},
)
# an importer the check cannot read exactly counts as one (its B101 kept): a computed name,
# a file of a newer Python's syntax; a string name with a string package argument is read
IMPORTERS = ("none", "absolute", "relative", "import_module", "test", "computed", "package",
             "newer")


def _layout(config: int) -> tuple[dict[str, str], dict[str, bool]]:
    """The change's files, and for each file with asserts whether production imports it."""
    files = {**CONFIGS[config], "src/app/__init__.py": "", "lib/__init__.py": "",
             "tests/__init__.py": ""}
    imported = {}
    blurred: list[str] = []
    for i, (folder, (package, stem)) in enumerate(
            (f, p) for f, p in FOLDERS.items() for _ in NAMES):
        name = NAMES[i % len(NAMES)].format(stem)
        path, module = f"{folder}/{name}", f"{package}.{name.removesuffix('.py')}"
        files[path] = CODE
        kind = IMPORTERS[(i + config) % len(IMPORTERS)]
        if kind == "relative" and folder != "src/app":
            kind = "absolute"
        imported[path] = kind not in ("none", "test")
        if kind in ("computed", "newer"):  # names the file without a read import
            blurred.append(f"src/app/uses_{i}.py")
        user = f"tests/test_uses_{i}.py" if kind == "test" else f"src/app/uses_{i}.py"
        files[user] = {
            "none": "VALUE = 1\n",
            "absolute": f"from {package} import {module.rsplit('.', 1)[1]}\n",
            "relative": f"from . import {module.rsplit('.', 1)[1]}\n",
            "import_module": f"import importlib\n\nPLUGIN = importlib.import_module('{module}')\n",
            "computed": f"import importlib\n\nPART = '{module.rsplit('.', 1)[1]}'\n"
                        f"PLUGIN = importlib.import_module(f'{package}.{{PART}}')\n",
            "package": f"import importlib\n\nPLUGIN = importlib.import_module("
                       f"'.{module.rsplit('.', 1)[1]}', package='{package}')\n",
            "newer": f"from {package} import {module.rsplit('.', 1)[1]}\n\ntype Alias = int\n",
            "test": f"import importlib\n\n\ndef loaded():\n"
                    f"    return importlib.import_module('{module}')\n",
        }[kind]
    # a file an importer the check cannot read names (its stem in the text) counts imported;
    # a load by a computed name may load any module but test code by place (`bandit_loads`)
    blind = any("{" in files[user] for user in blurred)
    for path in imported:
        stem = path.rsplit("/", 1)[1].removesuffix(".py")
        imported[path] |= any(stem in files[user] for user in blurred) or (blind and not (
            path.startswith("tests/") or path.endswith("/conftest.py")))
    return files, imported


def _plain(root: Path) -> tuple[dict[str, int], set[str]]:
    """Plain `bandit -r .`'s B101 count per file, and the files plain `pytest` collects."""
    counts = b101_counts(root)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "--continue-on-collection-errors"],
                            cwd=root, capture_output=True, text=True, check=False, env=env)
    collected = {line.split("::", 1)[0] for line in listed.stdout.splitlines() if "::" in line}
    return counts, collected


@pytest.mark.parametrize("config", range(len(CONFIGS)))
def test_an_assert_is_left_out_with_a_trace_in_test_code_only(tmp_path: Path,
                                                              config: int) -> None:
    files, imported = _layout(config)
    repo = Repo(tmp_path / "r", {k: v for k, v in files.items() if k in CONFIGS[config]})
    diff = repo.change(files)
    counts, collected = _plain(repo.root)
    assert collected, "pytest collected nothing: the oracle did not run"

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    health = next(h for h in report.health if h.name == "bandit")
    assert health.status == "ok", health
    for path, imports in imported.items():
        test_code = path in collected or path.endswith("/conftest.py") \
            or path.startswith("tests/")
        shown = [f for f in report.findings if f.file == path and f.rule == "B101"]
        said = health.left_out.get(path)
        assert counts.get(path), (path, counts)
        if test_code and not imports:
            assert (shown, said and said.split(" ", 1)[0]) == ([], str(counts[path])), \
                (config, path, said)
            assert "left out: test code" in (said or ""), said
        else:
            assert (len(shown), said) == (counts[path], None), (config, path, imports)
