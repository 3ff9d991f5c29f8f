"""A small calculator project whose uncommitted change the coverage tests measure."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitutil import git

_TEST_ADD = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"


def calc_project(tmp_path: Path, added: str) -> tuple[Path, str]:
    """`calc.py` with a tested `add` committed on main; the working tree appends `added` to
    it and a test of `sub` to the tests. (root, the change's diff)."""
    root = tmp_path / "p"
    (root / "tests").mkdir(parents=True)
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "tests/test_calc.py").write_text(_TEST_ADD)
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    with (root / "calc.py").open("a") as f:
        f.write(added)
    (root / "tests/test_calc.py").write_text(
        "from calc import add, sub\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\n"
        "def test_sub():\n    assert sub(3, 2) == 1\n")
    return root, git(root, "diff")
