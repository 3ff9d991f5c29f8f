"""The Python version the review takes from a `requires-python` is the one plain ruff takes,
and a "raised" floor is one plain ruff reads as raised.

Before, the review took the MAX of the lower bounds where ruff takes the MIN, so
`">=3.8,>=3.12"` was py312 to the review and py38 to ruff, and a change adding that
redundant bound hid its `match` 🔴 (review round 11, D2); it clamped `">=3.6"` to py37
where ruff applies no version (a false 🔴, D2b); and `v3.8` / `V3.8` / `0!3.8` gave it no
bound where ruff reads 3.8 (D12).

Generated: a fixed product of operators × versions (spellings `v`, `V`, epochs, patch,
pre-release, wildcard, below 3.7, above ruff's newest) × whitespace, and of pairs of them;
the oracle is the `linter.unresolved_target_version` of plain `ruff check --show-settings`
on a project declaring each. The pairs also serve as (base, head): `raised` must name a
version only where plain ruff's head version is newer than its base one, and be it."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_version import raised, versions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff

OPERATORS = (">=", ">", "~=", "==", "===", "!=", "<", "<=")
VERSIONS = ("3.8", "3.12", "3.6", "2.7", "3.15", "3.16", "3", "v3.9", "V3.11", "0!3.8",
            "1!3.10", "3.9.1", "3.10a1", "3.10.*")
SPACING = ("{o}{v}", " {o} {v} ")
SINGLES = tuple(s.format(o=o, v=v) for o, v, s in itertools.product(OPERATORS, VERSIONS,
                                                                     SPACING))
PAIRS = tuple(f"{a},{b}" for a, b in itertools.product(
    (">=3.8", ">=3.6", "~=3.12", ">=v3.9", "==3.11.*"),
    (">=3.12", ">3.9", "~=3.10", "==3.11.*", "<4", "!=3.9.*", ">=V3.7", ">=0!3.13", ">=2.7")))
SPECS = (*SINGLES, *PAIRS)


def _pyproject(spec: str) -> str:
    return f'[project]\nname = "x"\nversion = "0"\nrequires-python = {json.dumps(spec)}\n'


def _ruff_version(root: Path) -> str | None:
    """plain ruff's version for `a.py` as `py3X`; `refused` where ruff cannot read it."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-settings", "a.py"],
                          cwd=root, capture_output=True, text=True, check=False, timeout=60)
    for line in done.stdout.splitlines():
        if line.startswith("linter.unresolved_target_version = "):
            value = line.split(" = ", 1)[1].strip()
            return None if value == "none" else "py" + value.replace(".", "")
    return "refused"


def _review_version(root: Path) -> str | None:
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                          agent="review-maintainability", files=("a.py",),
                          tests=ProjectTests())
    return versions(ctx, ["a.py"])["a.py"]


def test_the_review_takes_the_version_plain_ruff_takes(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    ruff: dict[str, str | None] = {}
    wrong = []
    for spec in SPECS:
        (tmp_path / "pyproject.toml").write_text(_pyproject(spec))
        ruff[spec] = _ruff_version(tmp_path)
        if ruff[spec] != "refused" and _review_version(tmp_path) != ruff[spec]:
            wrong.append((spec, ruff[spec], _review_version(tmp_path)))
    assert len(SPECS) > 250 and not wrong, wrong
    pairs = [(b, h) for b, h in itertools.product(PAIRS[::3] + SINGLES[::9], repeat=2)
             if "refused" not in (ruff[b], ruff[h])]
    for base, head in pairs:
        was, now = ruff[base], ruff[head]
        ruff_raised = now if was is not None and now is not None and \
            int(now[3:]) > int(was[3:]) else None
        if raised(_pyproject(head), _pyproject(base)) != ruff_raised:
            wrong.append((base, head, was, now))
    assert len(pairs) > 500 and not wrong, wrong[:20]
