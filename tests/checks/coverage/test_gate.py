"""The strict coverage gate fails on a new public function no test executes."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.coverage.gate import CoverageGate, judges_functions
from reviewloop.checks.gates.base import GateContext
from reviewloop.config import Gates, Settings
from reviewloop.git.diff import parse_diff
from tests.support.coverage import calc_project
from tests.support.gitutil import git
from tests.support.repos import init_repo


def project(tmp_path: Path) -> tuple[Path, str]:
    """calc.py gains `sub` (tested) and `mul` (public, never run)."""
    return calc_project(tmp_path, "\n\ndef sub(a, b):\n    return a - b\n\n\n"
                                  "def mul(a, b):\n    return a * b\n")


def context(root: Path, diff_text: str, mode: str) -> GateContext:
    gates = Gates(coverage=mode, test=(f"{sys.executable} -m pytest -p no:cacheprovider",))
    return GateContext(root=root, settings=Settings(gates=gates), changed_files=("calc.py",),
                       diff_text=diff_text, branch="work", default_branch="main",
                       phase="implement")


def test_strict_mode_fails_on_the_untested_function_only(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    gate = CoverageGate()
    ctx = context(root, diff_text, "strict")
    assert gate.applies(ctx)
    result = gate.run(ctx)
    assert not result.passed and result.blocking
    assert [f.title for f in result.findings] == [
        next(f.title for f in result.findings if "mul" in f.title)]
    assert "sub" not in " ".join(f.title for f in result.findings)


def test_report_mode_leaves_it_to_the_test_quality_reviewer(tmp_path: Path) -> None:
    root, diff_text = project(tmp_path)
    assert not CoverageGate().applies(context(root, diff_text, "report"))


# What a fix group's re-test asks before it runs the suite under coverage
# (`fixes.retest.Retest.relevant`): does the change add or change a public function?
_ITEMS = {
    "public": lambda n: f"def {n}(a):\n    return a\n",
    "method": lambda n: f"class {n.title()}:\n    def {n}(self):\n        return 1\n",
    "private": lambda n: f"def _{n}(a):\n    return a\n",
    "constant": lambda n: f"{n.upper()} = 3\n",
    "comment": lambda n: f"# {n}\n",
}
_PUBLIC = {"public", "method"}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(sorted(_ITEMS)), st.from_regex(r"[a-z]{3,8}",
                                                                         fullmatch=True)),
                min_size=1, max_size=4, unique_by=lambda item: item[1]),
       st.booleans())
def test_a_change_is_judged_exactly_when_it_adds_a_public_function(
        items: list[tuple[str, str]], new_file: bool) -> None:
    """Appended to an existing module or written as a new one; the tested `add` untouched."""
    added = "".join("\n\n" + _ITEMS[kind](name) for kind, name in items)
    with tempfile.TemporaryDirectory() as tmp:
        root = init_repo(Path(tmp) / "p", {"calc.py": "def add(a, b):\n    return a + b\n"})
        if new_file:
            (root / "more.py").write_text(added.lstrip("\n"))
            git(root, "add", "-N", "more.py")
        else:
            with (root / "calc.py").open("a") as f:
                f.write(added)
        changes = parse_diff(git(root, "diff"), source="test")
        assert judges_functions(root, changes) == any(kind in _PUBLIC for kind, _ in items)
