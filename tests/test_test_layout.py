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
