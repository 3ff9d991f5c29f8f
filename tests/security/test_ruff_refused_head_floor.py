"""A `requires-python` the change writes that ruff refuses makes plain `ruff check` after
the merge fail on every file (exit 2): the review keeps the base's floor and names the
files as not analysed; one ruff reads leaves the review complete.

Before, the review kept the base's floor, said complete, and its only word was a
should_fix "checked on the base's version" (review round 11, D6).

Generated: a fixed sample of the spellings ruff refuses (a trailing or doubled comma,
Poetry's caret, a wildcard arbitrary equality) and of ones it reads (spaced, two bounds);
the oracle is plain `ruff check .`'s exit status on the head's checkout."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import reviewed

SPECS = (">=3.8,", "^3.9", ">=3.10,,<4", "===3.*", " >= 3.9 , <4", ">=3.8,>=3.12")


def _pyproject(spec: str) -> str:
    return f'[project]\nname = "x"\nversion = "0"\nrequires-python = {json.dumps(spec)}\n'


@pytest.mark.parametrize("spec", SPECS)
def test_a_refused_head_floor_leaves_the_files_not_analysed(spec: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {"pyproject.toml": _pyproject(">=3.8"), "a.py": "X = 1\n"},
                          {"pyproject.toml": _pyproject(spec), "a.py": "X = 1\nY = 2\n"})
        done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero", "."],
                              cwd=root, capture_output=True, text=True, check=False)
    fails = done.returncode != 0
    rows = {r["path"]: r for r in report["health"]["files"]}
    said = " ".join(str(n) for n in rows.get("a.py", {}).get("not_read", []))
    assert ("requires-python" in said) is fails, (spec, fails, said)
    assert report["health"]["complete"] is not fails, (spec, report["verdict"])
