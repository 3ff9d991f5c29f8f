"""A project that pins the ruff reviewloop ships and selects no rules (or only
`extend-select`) gets that ruff's own default selection, as its `ruff check .` does (the
fuzzer's D1): the review built on the classic `E4, E7, E9, F` and I001, UP006, LOG015, T100
were silently missing. The pin: `required-version` (`==X`, `X`) in its config, or the `rev`
of its pre-commit ruff hook. The twin without a pin keeps the classic default, the
documented choice (docs/analyzers.md), and the ruff analyzers' rows say so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from tests.support.project_rules import found, reviewed

CODE = ("from typing import List\nimport sys\nimport os\nimport logging\n\n\n"
        "def f(a: List[int]) -> None:\n"  # 7: UP006
        '    logging.info("x")\n'  # 8: LOG015
        "    breakpoint()\n"  # 9: T100
        "    print(os, sys, a)\n")
DEFAULT_ONLY = {("UP006", 7), ("LOG015", 8), ("T100", 9), ("I001", 1)}  # not E4/E7/E9/F
SHIPPED = version("ruff")
HOOK = ("repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n"
        f"  rev: v{SHIPPED}\n  hooks:\n  - id: ruff-check\n")
# variant → (the base's files, whether the pin holds)
VARIANTS: dict[str, tuple[dict[str, str], bool]] = {
    "required ==": ({"ruff.toml": f'required-version = "=={SHIPPED}"\n'}, True),
    "required bare, extend-select": (
        {"ruff.toml": f'required-version = "{SHIPPED}"\n[lint]\nextend-select = ["ERA"]\n'},
        True),
    "hook rev": ({"ruff.toml": "line-length = 100\n", ".pre-commit-config.yaml": HOOK}, True),
    "no pin": ({"ruff.toml": '[lint]\nextend-select = ["ERA"]\n'}, False),
}


def _plain(root: Path) -> set[tuple[str, int]]:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {(d["code"], d["location"]["row"]) for d in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path]]:
    done = {}
    for name, (base, _) in VARIANTS.items():
        root = tmp_path_factory.mktemp("pinned")
        done[name] = (reviewed(root, base, {"app.py": CODE}), root)
    return done


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_pinned_ruff_runs_its_own_default(
        reviews: dict[str, tuple[dict[str, Any], Path]], variant: str) -> None:
    report, root = reviews[variant]
    assert _plain(root) >= DEFAULT_ONLY  # plain ruff's default selection flags them
    flagged = set(found(report, "ruff", "app.py"))
    if VARIANTS[variant][1]:
        assert flagged >= DEFAULT_ONLY, (variant, flagged)
    else:
        assert not flagged & DEFAULT_ONLY, (variant, flagged)
    reasons = {a["name"]: a["reason"] or "" for a in report["health"]["analyzers"]}
    said = "ruff.toml selects no rules (`extend-select` at most): its rules ran on ruff's " \
           "classic default E4, E7, E9, F"
    assert (said in reasons["ruff-maintainability"]) is not VARIANTS[variant][1], reasons
    assert report["health"]["complete"] is True
