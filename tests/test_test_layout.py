"""The tests' own layout: what several test modules share lives in tests/support/, so no
module under tests/ or benchmarks/ imports a test module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


def test_no_module_imports_a_test_module():
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported(path)
                                            if name.startswith("tests.")
                                            and name.rpartition(".")[2].startswith("test_"))
        for folder in ("tests", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_package_imports_nothing_from_the_tests():
    for path in sorted((ROOT / "reviewloop").rglob("*.py")):
        assert not any(name == "tests" or name.startswith("tests.")
                       for name in _imported(path)), path


_SHARED = '''
import os
import pytest
from pathlib import Path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    marks = Path(os.environ["LAYOUT_MARKS"])
    (marks / f"built-{os.getpid()}").write_text(os.environ.get("PYTEST_XDIST_WORKER", ""))
    return True


@pytest.mark.parametrize("case", range(8))
def test_uses_it(built, case):
    assert built
'''


def test_a_module_fixture_is_built_once_across_workers(tmp_path: Path):
    """The suite's grouping (tests/conftest.py, `--dist loadgroup`) keeps a module with a
    module-scoped fixture on one worker. A pytest or xdist release that drops the group (as
    pytest 9.2 with xdist 3.8 does) would build it on each worker, silently."""
    import os
    import subprocess
    import sys

    (tmp_path / "test_shared.py").write_text(_SHARED)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "LAYOUT_MARKS": str(marks), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-p", "xdist.plugin", "-p", "tests.conftest", "-n", "2", "--dist", "loadgroup",
         "test_shared.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list(marks.iterdir())) == 1
