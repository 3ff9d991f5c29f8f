"""The tree shows the architecture: the import direction holds, docs/architecture.md matches
the packages, and no module grows past 400 lines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGE = ROOT / "reviewloop"
DOC = ROOT / "docs" / "architecture.md"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's contract from `project`/pyproject.toml, on the `reviewloop` found first
    on PYTHONPATH (the project folder itself)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_import_direction_holds():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(PACKAGE, tmp_path / "reviewloop", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    autofix = tmp_path / "reviewloop" / "fixes" / "autofix.py"
    autofix.write_text(autofix.read_text() + "\nimport reviewloop.runs.runner  # wrong way\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "reviewloop.fixes.autofix -> reviewloop.runs.runner" in result.stdout


def _packages() -> set[str]:
    return {f"reviewloop/{p.parent.relative_to(PACKAGE).as_posix()}/"
            for p in PACKAGE.rglob("__init__.py")
            if p.parent != PACKAGE and "builtin_agents" not in p.parts}


def _core_modules() -> set[str]:
    return {f"reviewloop/{p.name}" for p in PACKAGE.glob("*.py")
            if p.name not in ("__init__.py", "__main__.py")}


def _named_in_doc() -> set[str]:
    """The first cell of every table row that names a package or a module."""
    return set(re.findall(r"^\| `(reviewloop/[\w/.]+)` \|", DOC.read_text(), flags=re.M))


def test_every_package_and_core_module_is_in_the_architecture_doc():
    assert (_packages() | _core_modules()) - _named_in_doc() == set()


def test_everything_the_architecture_doc_names_exists():
    assert _named_in_doc() - (_packages() | _core_modules()) == set()


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400, path.relative_to(ROOT)


def test_every_package_says_what_it_owns():
    for init in PACKAGE.rglob("__init__.py"):
        text = init.read_text().lstrip()
        assert text.startswith('"""'), init.relative_to(ROOT)
