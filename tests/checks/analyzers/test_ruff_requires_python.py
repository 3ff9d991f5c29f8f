"""A `requires-python` plain ruff refuses names the files under it as not read, one it reads
names nothing, as ruff itself decides.

Before, `packaging` decided alone: `">=3.10,"` and `">=3.10,,<4"` are specifier sets to it,
while ruff 0.17 fails on every file ("Failed to parse pyproject.toml", exit 2); the review
named nothing and took a version from it (review round 8, D10). Now `ruff_version.refused`
follows ruff's parser.

Generated: a fixed product of operators × versions × whitespace, and of specifier pairs ×
the commas and spaces joining them (doubled, leading, trailing, spaced); the oracle is plain
`ruff check` on a project declaring each."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_version import refused, versions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff

OPERATORS = (">=", "<=", ">", "<", "==", "!=", "~=", "===", "")
VERSIONS = ("3", "3.10", "3.10.1", "3.*", "3.10.*", "3.10a1", "3.10.post1", "3.10+local",
            "v3.10")
SPACING = ("{o}{v}", "{o} {v}", " {o}{v} ", "{o}\t{v}")
PAIRS = ((">=3.10", "<4"), ("~=3.9", "!=3.12"), ("!=3.11.*", "<4"))
JOINS = ("{a},{b}", "{a}, {b}", "{a} , {b}", "{a},,{b}", "{a}, ,{b}", "{a},", ",{a}",
         "{a},{b},", "{a} {b}", "{a} ,", "{a}, ")
SPECS = sorted({*(s.format(o=o, v=v) for o, v, s in itertools.product(OPERATORS, VERSIONS,
                                                                      SPACING)),
                *(j.format(a=a, b=b) for (a, b), j in itertools.product(PAIRS, JOINS)),
                "", " ", ",", ">= 3 . 10", "> =3.10"})


def _ruff_fails(root: Path) -> bool:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero", "."],
                          cwd=root, capture_output=True, text=True, check=False, timeout=60)
    return done.returncode != 0


def test_ruff_refuses_the_requires_python_the_review_names(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    wrong = []
    for spec in SPECS:
        (tmp_path / "pyproject.toml").write_text(
            f'[project]\nname = "x"\nversion = "0"\nrequires-python = {json.dumps(spec)}\n')
        ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="",
                              agent="review-maintainability", files=("a.py",),
                              tests=ProjectTests())
        version = versions(ctx, ["a.py"])["a.py"]
        named = "requires-python" in ctx.unread.get("a.py", "")
        fails = _ruff_fails(tmp_path)
        if refused(spec) is not fails or named is not fails or (fails and version):
            wrong.append((spec, fails, named, version))
    assert len(SPECS) > 300 and not wrong, wrong
