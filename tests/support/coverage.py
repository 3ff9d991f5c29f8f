"""A small calculator project whose uncommitted change the coverage tests measure."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitutil import git
from tests.support.repos import init_repo

_TEST_ADD = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"


def calc_project(tmp_path: Path, added: str) -> tuple[Path, str]:
    """`calc.py` with a tested `add` committed on main; the working tree appends `added` to
    it and a test of `sub` to the tests. (root, the change's diff)."""
    root = init_repo(tmp_path / "p", {
        "calc.py": "def add(a, b):\n    return a + b\n", "tests/test_calc.py": _TEST_ADD,
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n'})
    with (root / "calc.py").open("a") as f:
        f.write(added)
    (root / "tests/test_calc.py").write_text(
        "from calc import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
        "def test_sub():\n    assert sub(3, 2) == 1\n")
    return root, git(root, "diff")
