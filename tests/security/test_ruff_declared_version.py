"""The Python version the project declares is the one the review's ruff checks for. With
`[project] requires-python = ">=3.8"`, plain `ruff check .` reports a changed `match`
statement as `invalid-syntax` (`Cannot use match statement on Python 3.8`), and with
`target-version = "py312"` and UP selected it reports UP040; the review ran ruff
`--isolated` on ruff's newest Python, dropped the project run's syntax errors, and passed
complete and clean (fuzz round 6, D1).

Generated: where the version is declared (`requires-python` alone, beside `[tool.ruff]`,
with a lower-bound spelling `~=` / `>=3.X.1,<4`; `target-version` in `ruff.toml`,
`.ruff.toml`, `[tool.ruff]`, overriding a newer `requires-python`; through a nested
config's `extend`; a nested `ruff.toml` taking the root's `requires-python`) × the
construct needing a newer Python (`match`, `except*`, parenthesised context managers,
a walrus, `TypeAlias` for UP040) × declared one minor older than it needs, or new enough.
The review's version findings on the file must be plain `ruff check .`'s, line for line."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import found, reviewed

PATH = "pkg/mod.py"
VERSIONED = ("invalid-syntax", "UP040")  # what the declared version decides here
UP = '[lint]\nextend-select = ["UP"]\n'
PROJECT = '[project]\nname = "x"\nrequires-python = "{spec}"\n'

# (the Python minor a construct needs, its code)
CONSTRUCTS = {
    "match": (10, "def f(x):\n    match x:\n        case 1:\n            return 2\n"
                  "    return 0\n"),
    "except-star": (11, "try:\n    pass\nexcept* ValueError:\n    pass\n"),
    "with-parens": (9, "def f(a, b):\n    with (\n        open(a) as x,\n"
                       "        open(b) as y,\n    ):\n        return x, y\n"),
    "walrus": (8, "def f(a):\n    if (n := len(a)) > 1:\n        return n\n    return 0\n"),
    "typealias": (12, "from typing import TypeAlias\n\nX: TypeAlias = int\n"),
}


def _sources(minor: int) -> dict[str, dict[str, str]]:
    """{how the version is declared: the base's config files} for Python 3.`minor`."""
    target = f'target-version = "py3{minor}"\n'
    newer = PROJECT.format(spec=">=3.13")
    return {
        "requires-python": {"pyproject.toml": PROJECT.format(spec=f">=3.{minor}")},
        "requires-python-compatible": {"pyproject.toml": PROJECT.format(spec=f"~=3.{minor}")},
        "requires-python-ruff": {"pyproject.toml": PROJECT.format(spec=f">=3.{minor}.1,<4")
                                 + "\n[tool.ruff.lint]\nextend-select = [\"UP\"]\n"},
        "ruff-toml-target": {"ruff.toml": target + UP, "pyproject.toml": newer},
        "dot-ruff-toml-target": {".ruff.toml": target + UP},
        "pyproject-target": {"pyproject.toml": newer + "\n[tool.ruff]\n" + target
                             + "\n[tool.ruff.lint]\nextend-select = [\"UP\"]\n"},
        "extend-target": {"shared/ruff.toml": target,
                          "pkg/ruff.toml": 'extend = "../shared/ruff.toml"\n' + UP},
        "nested-ruff-toml": {"pkg/ruff.toml": UP,
                             "pyproject.toml": PROJECT.format(spec=f">=3.{minor}")},
    }


def _plain(root: Path) -> dict[tuple[str, int], str]:
    """{(code, line): message} of plain `ruff check .` on `PATH`, the version's codes only."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=True)
    return {(d["code"], d["location"]["row"]): d["message"] for d in json.loads(done.stdout)
            if d["code"] in VERSIONED and d["filename"].endswith(PATH)}


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(_sources(9))), st.sampled_from(sorted(CONSTRUCTS)),
       st.booleans())
def test_the_declared_python_decides_what_ruff_reports(source: str, construct: str,
                                                       older: bool) -> None:
    needs, code = CONSTRUCTS[construct]
    minor = needs - 1 if older else needs
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {**_sources(minor)[source], PATH: "x = 1\n"}, {PATH: code})
        plain = _plain(root)
    review = {key: bucket for key, bucket in found(report, "ruff", PATH).items()
              if key[0] in VERSIONED}
    assert set(review) == set(plain), (source, construct, minor, review, plain)
    assert all(bucket in ("remaining", "nits") for bucket in review.values()), review
    row = next(r for r in report["health"]["files"] if r["path"] == PATH)
    assert row["not_read"] == [], row  # ruff read the file: its version errors are findings
    if older and construct != "typealias":  # the twin: new enough, nothing reported
        assert plain, (source, construct, minor)  # plain ruff does report it


# spellings of requires-python: PEP 440 ones ruff reads, and ones it cannot (Poetry's caret,
# a bare version, an `or`, a marker, a wildcard with no operator)
SPECS = (">=3.9", "~=3.10", ">=3.9,<4", "==3.11.*", ">= 3.9", ">3", "", "^3.9", "3.10",
         ">=3.8|<4", ">=3.9; python_version >= '3'", "3.*", "~3.9", ">=3.9,")


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.sampled_from(SPECS), st.sampled_from(("", "pkg")), st.booleans())
def test_a_requires_python_ruff_cannot_read_names_its_files(spec: str, folder: str,
                                                             configured: bool) -> None:
    """Plain `ruff check .` fails on every file (exit 2) under a `requires-python` it cannot
    parse; the review named nothing, said complete, and made up a version from it (fuzz
    round 7, D13). Now each Python file under it is named as not read, exactly where plain
    ruff fails."""
    quoted = f'"{spec}"' if '"' not in spec else f"'{spec}'"
    pyproject = f'[project]\nname = "x"\nrequires-python = {quoted}\n' \
        + ('\n[tool.ruff.lint]\nextend-select = ["UP"]\n' if configured else "")
    at = f"{folder}/pyproject.toml" if folder else "pyproject.toml"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {at: pyproject, PATH: "x = 1\n"}, {PATH: "y = 2\n"})
        failed = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero", "."],
                                cwd=root, capture_output=True, text=True).returncode != 0
    row = next(r for r in report["health"]["files"] if r["path"] == PATH)
    named = any("requires-python" in why for why in row["not_read"])
    assert named == failed, (spec, folder, row, failed)
    assert report["health"]["complete"] is not failed, (spec, report["health"]["complete"])
