"""A change's edit of ruff's own config that only TIGHTENS it is applied to its own review,
as plain `ruff check .` at the head applies it; an edit that loosens anything is set aside
whole, as before.

Before: a pull request raising `requires-python` from 3.8 to 3.10 (or `target-version`
from py38 to py310) and adding a `match` got a 🔴 `invalid-syntax … on Python 3.8` that
plain ruff at the head does not report (fuzz round 9a, D3); an `extend-select = ["T20"]`
with a `print()` got a 🔵 `tightens-config` note and no T201 (plain ruff reports it).

Generated (hypothesis, derandomized): for the floor, where it is declared (`requires-python`,
`target-version` in `ruff.toml`, `.ruff.toml`, `[tool.ruff]`) × the construct (`match`,
`except*`, parenthesised context managers, a `type` alias, PEP 695 generics, a walrus,
`TypeAlias` for UP040) × the base's and the change's floors (raised, raised too little for
the construct, lowered). For the rules, the config file × where the edit is (`select`,
`extend-select`, top level or `[lint]`, an `ignore` or `per-file-ignores` entry dropped) ×
an added loosening (a rule dropped, an ignore added). The oracle is plain ruff on the
checkout, with the change's config for a tightening and the base's for a loosening."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import found, reviewed, severity

PATH = "pkg/mod.py"
PROJECT = '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.{minor}"\n'
UP = '[lint]\nextend-select = ["UP"]\n'
CONSTRUCTS = {  # the code, and the Python minor that first accepts it (UP040: reports it)
    "match": ("def f(x):\n    match x:\n        case 1:\n            return 2\n    return 0\n",
              10),
    "except-star": ("try:\n    pass\nexcept* ValueError:\n    pass\n", 11),
    "with-parens": ("def f(a, b):\n    with (\n        open(a) as x,\n        open(b) as y,\n"
                    "    ):\n        return x, y\n", 9),
    "type-alias": ("type Pair = tuple[int, int]\n", 12),
    "generics": ("def first[T](items: list[T]) -> T:\n    return items[0]\n", 12),
    "walrus": ("def f(a):\n    if (n := len(a)) > 1:\n        return n\n    return 0\n", 8),
    "typealias-up040": ("from typing import TypeAlias\n\nX: TypeAlias = int\n", 12),
}
FLOORS = ((8, 10), (9, 12), (8, 11), (10, 13), (12, 8), (11, 9))  # (base, change)


def _floor(spelling: str, minor: int) -> dict[str, str]:
    """The config files declaring Python 3.`minor` as `spelling` does."""
    target = f'target-version = "py3{minor}"\n'
    return {"requires-python": {"pyproject.toml": PROJECT.format(minor=minor)},
            "ruff.toml": {"ruff.toml": target + UP},
            ".ruff.toml": {".ruff.toml": target + UP},
            "tool-ruff": {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n\n'
                          f'[tool.ruff]\n{target}\n[tool.ruff.lint]\nextend-select = ["UP"]\n'},
            }[spelling]


def _plain(root: Path, configs: dict[str, str], codes: tuple[str, ...]) -> set[tuple[str, int]]:
    """(code, line) of plain `ruff check .` on `PATH` with `configs` written, of `codes`."""
    for path, text in configs.items():
        (root / path).write_text(text)
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=True)
    return {(d["code"] or "invalid-syntax", d["location"]["row"])
            for d in json.loads(done.stdout)
            if d["filename"].endswith(PATH) and str(d["code"]).startswith(codes)}


def _reviewloop(report: dict[str, Any], path: str) -> set[str]:
    return {rule for rule, _ in found(report, "reviewloop", path)}


@settings(max_examples=18, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(("requires-python", "ruff.toml", ".ruff.toml", "tool-ruff")),
       st.sampled_from(sorted(CONSTRUCTS)), st.sampled_from(FLOORS))
def test_a_raised_floor_judges_the_syntax_as_plain_ruff_at_the_head(
        spelling: str, construct: str, floors: tuple[int, int]) -> None:
    base, head = floors
    code = CONSTRUCTS[construct][0]
    raised = head > base
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {**_floor(spelling, base), PATH: "x = 1\n"},
                          {**_floor(spelling, head), PATH: code})
        trusted = _floor(spelling, head if raised else base)
        # ruff 0.17's default rules (UP040 among them) are no project rules: a config that
        # selects none adds none (`ruff_config`)
        codes = ("invalid-syntax",) if spelling == "requires-python" else ("invalid-syntax", "UP")
        plain = _plain(root, trusted, codes)
    review = {key for key in found(report, "ruff", PATH) if key[0].startswith(codes)}
    assert review == plain, (spelling, construct, floors, review, plain)
    if any(key[0] == "invalid-syntax" for key in plain):  # under the version trusted too
        assert severity(report, "invalid-syntax", PATH) == "must_fix"
    config = next(iter(_floor(spelling, head)))
    notes = _reviewloop(report, config)
    note = next((e.get("finding", e) for b in report["findings"].values() for e in b
                 if e.get("finding", e)["rule"] == "changes-declared-python"), None)
    if spelling == "requires-python":  # the raise is named, with the version that judged
        assert notes == {"changes-declared-python"} and note is not None, notes
        used = f"the change's `>=3.{head}`" if raised else f"the base's `>=3.{base}`"
        assert used in note["rationale"], note["rationale"]
    else:  # a raised target-version is a tightening, named; a lowered one is set aside
        assert notes == ({"changes-declared-python"} if raised else {"adds-suppression"}), \
            (spelling, notes)
        assert note is None or f"judged on py3{head}" in note["rationale"], note


CODE = "import os\nprint(os)\nx = 1  # TODO fix\nassert x\nl = 1\n"
MOVED = ("T201", "S101", "FIX002", "E741")  # what the edits move; none of reviewloop's own
BASE = {"select": ["E4", "E7", "E9", "F", "FIX"], "ignore": ["E741", "S101"],
        "per-file-ignores": {"pkg/*": ["FIX002"], "other/*": ["T201"]}}
EDITS = {  # how the change tightens the base's config
    "select": lambda c: {**c, "select": [*c["select"], "T20"]},
    "extend-select": lambda c: {**c, "extend-select": ["T20", "S101"]},
    "ignore-dropped": lambda c: {**c, "ignore": ["S101"]},
    "per-file-ignore-dropped": lambda c: {**c, "per-file-ignores": {"other/*": ["T201"]}},
    "per-file-rule-dropped": lambda c: {**c, "per-file-ignores": {"pkg/*": [],
                                                                  "other/*": ["T201"]}},
}
LOOSENINGS = {"none": lambda c: c,
              "rule-dropped": lambda c: {**c, "select": [r for r in c["select"] if r != "E7"]},
              "ignore-added": lambda c: {**c, "ignore": [*c["ignore"], "E402"]},
              "other-setting": lambda c: {**c, "dummy-variable-rgx": "^_$"}}


def _config(spelling: str, lint: bool, settings_: dict[str, Any]) -> dict[str, str]:
    lines = [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in settings_.items()
             if not isinstance(v, dict)]
    lines += [f"[{'lint.' * lint}per-file-ignores]"] + \
        [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in settings_["per-file-ignores"].items()]
    body = "\n".join(lines) + "\n"
    if lint:
        body = "[lint]\n" + body
    if spelling == "pyproject.toml":
        body = '[project]\nname = "x"\n\n' + body.replace("[lint", "[tool.ruff.lint") \
            .replace("[per-file", "[tool.ruff.per-file")
        body = body if lint else body.replace('name = "x"\n\n', 'name = "x"\n\n[tool.ruff]\n')
    return {spelling: body}


SPELLINGS = ("ruff.toml", ".ruff.toml", "pyproject.toml")
# every edit as a tightening, the spelling and level turning; a fixed-seed sample of the
# loosened twins
CASES = [(SPELLINGS[n % 3], n % 2 == 0, edit, "none") for n, edit in enumerate(sorted(EDITS))] \
    + random.Random(11).sample(list(itertools.product(
        SPELLINGS, (True, False), sorted(EDITS), sorted(set(LOOSENINGS) - {"none"}))), 6)


@pytest.mark.parametrize(("spelling", "lint", "edit", "loosening"), CASES)
def test_a_tightened_ruff_config_is_applied_to_its_own_change(
        spelling: str, lint: bool, edit: str, loosening: str) -> None:
    base = _config(spelling, lint, BASE)
    head = _config(spelling, lint, LOOSENINGS[loosening](EDITS[edit](BASE)))
    tightens = loosening == "none"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {**base, PATH: "x = 1\n"}, {**head, PATH: CODE})
        plain = _plain(root, head if tightens else base, MOVED)
        tightened = _config(spelling, lint, EDITS[edit](BASE))
        moved = _plain(root, tightened, MOVED) ^ _plain(root, base, MOVED)
    assert moved, (edit, "every tightening must move a finding")
    review = {key for key in found(report, "ruff", PATH) if key[0] in MOVED}
    assert review == plain, (spelling, lint, edit, loosening, review, plain)
    notes = _reviewloop(report, spelling)
    assert notes == (set() if tightens else {"adds-suppression"}), (edit, loosening, notes)


def test_the_sample_reaches_every_tightening() -> None:
    assert {edit for _, _, edit, loosening in CASES if loosening == "none"} == set(EDITS)
