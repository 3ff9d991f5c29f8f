"""The `changes-declared-python` note names the version ruff checks for: where the
pyproject.toml's own `[tool.ruff]` sets `target-version`, that one, not the floor.

Before, a raise of `requires-python` from `>=3.8` to `>=3.12` beside `target-version =
"py38"` got "raises requires-python to >=3.12; checked on it", beside the py38
`invalid-syntax` plain ruff reports (review round 11, D9).

Generated: a fixed product of the base's and the change's `target-version` (none, py38,
py311: kept, raised) × the `requires-python` edit (raised, lowered); the oracle is the
`linter.unresolved_target_version` of plain `ruff check --show-settings` on the side the
review applies (the change's for a raise, else the base's)."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.suppressions.declared_python import declared_python_edit

TARGETS = ((None, None), ("py38", "py38"), ("py311", "py311"), ("py38", "py311"))
FLOORS = ((8, 12), (12, 9))  # (the base's, the change's)


def _pyproject(minor: int, target: str | None) -> str:
    text = f'[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.{minor}"\n'
    return text + (f'\n[tool.ruff]\ntarget-version = "{target}"\n' if target else "")


def _ruff_version(root: Path, text: str) -> str:
    (root / "pyproject.toml").write_text(text)
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-settings", "a.py"],
                          cwd=root, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines()
                if x.startswith("linter.unresolved_target_version = "))
    return "py" + line.split(" = ")[1].strip().replace(".", "")


def test_the_note_names_the_version_ruff_checks_for(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    wrong = []
    for (was, now), (before, after) in itertools.product(TARGETS, FLOORS):
        if was is None and after < before:
            continue  # a lowered floor alone: the base's, named so (test_declared_python)
        base, head = _pyproject(before, was), _pyproject(after, now)
        # a raised floor, or a raised target-version (a tightening), is applied
        applied = head if after > before or (was and now and int(now[3:]) > int(was[3:])) else base
        version = _ruff_version(tmp_path, applied)
        note = declared_python_edit("pyproject.toml", [4], head, base)
        assert note is not None
        said = note.title + " " + note.rationale
        named = f"target-version {version}" in note.title or (
            was is None and f"`>=3.{version[3:]}`" in said)
        if not named or (was is not None and "checked on it" in note.title):
            wrong.append((was, now, before, after, version, note.title))
    assert not wrong, wrong
