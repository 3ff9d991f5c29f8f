"""The Python version of a file under an `extend` chain is the one ruff resolves: a
`pyproject.toml` of the chain gives its config the `requires-python` its `[tool.ruff]` does
not override, and the nearest config of the chain that has a version wins; `api/ruff.toml`
extending `../pyproject.toml` takes the root's `requires-python`, not that of the
`api/pyproject.toml` beside it (fuzz round 9a, D7: a missed or a false must-fix
`invalid-syntax`).

Generated: a fixed-seed product of the root's `pyproject.toml` (`requires-python`, a
`[tool.ruff] target-version`), an optional root `ruff.toml`, the nested config (`ruff.toml`
or `pyproject.toml`, what it extends, its own `target-version`) and the nested
`requires-python`; the oracle is `ruff check --show-settings` on the nested file."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_lookup import Lookup
from reviewloop.checks.analyzers.ruff_version import of_config, versions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff

ROOT_REQUIRES = (None, ">=3.8", ">=3.11")
ROOT_TARGET = (None, "py39")
ROOT_RUFF = (None, "", 'target-version = "py312"\n')  # no root ruff.toml, one without, with
NESTED = ("ruff.toml", "pyproject.toml")
EXTENDS = ("../pyproject.toml", "../ruff.toml")
NESTED_TARGET = (None, "py37")
NESTED_REQUIRES = (None, ">=3.10")
# ruff's version for the file: `3.X`, or `none` where nothing declares one (its default)
_SHOWN = re.compile(r"^linter\.unresolved_target_version = (?:3\.(\d+)|none)$", re.MULTILINE)


def _shown(root: Path) -> str | None:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-settings",
                           "api/app.py"], cwd=root, capture_output=True, text=True,
                          check=False, timeout=60)
    found = _SHOWN.search(done.stdout)
    assert found, done.stdout[-500:] + done.stderr
    return f"py3{found.group(1)}" if found.group(1) else None


def _project(requires: str | None, ruff: str) -> str:
    text = '[project]\nname = "x"\nversion = "0"\n'
    text += f'requires-python = "{requires}"\n' if requires else ""
    return text + (f"[tool.ruff]\n{ruff}" if ruff else "")


def _layout(root: Path, case: tuple) -> None:
    root_requires, root_target, root_ruff, nested, extends, nested_target, nested_requires \
        = case
    (root / "api").mkdir(parents=True)
    (root / "pyproject.toml").write_text(_project(
        root_requires, f'target-version = "{root_target}"\n' if root_target else ""))
    if root_ruff is not None:
        (root / "ruff.toml").write_text(root_ruff)
    own = f'extend = "{extends}"\n' + \
        (f'target-version = "{nested_target}"\n' if nested_target else "")
    if nested == "ruff.toml":
        (root / "api" / "ruff.toml").write_text(own)
        (root / "api" / "pyproject.toml").write_text(_project(nested_requires, ""))
    else:
        (root / "api" / "pyproject.toml").write_text(_project(nested_requires, own))
    (root / "api" / "app.py").write_text("x = 1\n")


def test_a_chains_version_is_the_one_ruff_resolves(tmp_path: Path) -> None:
    cases = [c for c in itertools.product(ROOT_REQUIRES, ROOT_TARGET, ROOT_RUFF, NESTED,
                                          EXTENDS, NESTED_TARGET, NESTED_REQUIRES)
             if c[4] != "../ruff.toml" or c[2] is not None]
    cases = random.Random(9).sample(cases, 60)
    wrong = []
    for n, case in enumerate(cases):
        root = tmp_path / str(n)
        _layout(root, case)
        ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                              agent="review-maintainability", files=("api/app.py",),
                              tests=ProjectTests())
        ours = versions(ctx, ["api/app.py"])["api/app.py"]
        governing = Lookup(ctx).of("api/app.py")
        assert governing is not None
        project = of_config(ctx, governing)
        plain = _shown(root)
        if ours != plain or project != plain:
            wrong.append((case, plain, ours, project))
    assert not wrong, wrong
