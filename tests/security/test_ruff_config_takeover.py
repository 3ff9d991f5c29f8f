"""A change that gives a folder a ruff config of its own (a `pyproject.toml` gaining a
`[tool.ruff]` table) changes WHICH config governs the folder: ruff takes the closest config
and merges nothing, so the root's rules, options and version stop applying there. That is
never a tightening, whatever the new table holds.

Before, a packaging-only `pkg/pyproject.toml` gaining `[tool.ruff.lint] extend-select =
["E501"]` was judged a growth from `{}`, applied to the change's own review, and the root
`ruff.toml`'s T20 / S / ERA rules were lost under `pkg/`: plain ruff with the base's config
reports `T201`, the review nothing, complete (review round 11, D1).

Generated: a fixed product of the root's selection (the rule the change's code breaks) ×
the depth of the packaging-only `pyproject.toml` × where its new table grows
(`[tool.ruff]` or `[tool.ruff.lint]`). The oracle is plain `ruff check .` on the head's
code with the base's configs."""

from __future__ import annotations

import itertools
import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.suppressions.tightening import tightening
from tests.support.project_rules import found, reviewed

ROOT_RULES = {  # the root's selected rule set, a line its rule reports
    "T20": "print(X)\n",
    "DTZ": "import datetime\n\nNOW = datetime.datetime.now()\n",
    "PTH": "import os\n\nP = os.path.join('a', 'b')\n",
    "A": "id = 1\n",
}
FOLDERS = ("pkg", "pkg/sub")
GROWN = {"tool.ruff": '\n[tool.ruff]\nextend-select = ["E501"]\n',
         "tool.ruff.lint": '\n[tool.ruff.lint]\nextend-select = ["E501"]\n'}
PACKAGING = '[project]\nname = "p"\nversion = "1"\n'
# each rule set once, the four (depth, table) pairs each taken
CASES = [(rules, FOLDERS[n % 2], sorted(GROWN)[n // 2 % 2])
         for n, rules in enumerate(sorted(ROOT_RULES))]


def _plain(root: Path, configs: dict[str, str], path: str) -> set[tuple[str, int]]:
    for name, text in configs.items():
        (root / name).write_text(text)
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=True)
    return {(d["code"] or "invalid-syntax", d["location"]["row"])
            for d in json.loads(done.stdout) if d["filename"].endswith(path)}


@pytest.mark.parametrize(("rules", "folder", "grown"), CASES)
def test_a_new_ruff_table_below_the_root_config_keeps_the_root_rules(
        rules: str, folder: str, grown: str) -> None:
    path = f"{folder}/mod.py"
    ruff_toml = f'[lint]\nselect = ["E", "F", "{rules}"]\n'
    base = {"ruff.toml": ruff_toml, f"{folder}/pyproject.toml": PACKAGING, path: "X = 1\n"}
    head = {f"{folder}/pyproject.toml": PACKAGING + GROWN[grown],
            path: "X = 1\n" + ROOT_RULES[rules]}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, base, head)
        plain = {key for key in _plain(root, {k: v for k, v in base.items() if k != path},
                                       path) if key[0].startswith(rules)}
    assert plain, (rules, "the root's rule must report the change's line")
    review = {key for key in found(report, "ruff", path) if key[0].startswith(rules)}
    assert review == plain, (rules, folder, grown, review, plain)


@pytest.mark.parametrize("grown", sorted(GROWN))
def test_a_ruff_table_there_on_one_side_only_is_no_tightening(grown: str) -> None:
    table = PACKAGING + GROWN[grown]
    assert tightening("pkg/pyproject.toml", table, PACKAGING) is None
    assert tightening("pkg/pyproject.toml", PACKAGING, table) is None
    empty = PACKAGING + "\n[tool.ruff]\n"  # a table that is there governs, even empty
    assert tightening("pkg/pyproject.toml", PACKAGING + GROWN["tool.ruff"], empty) == ["E501"]


def test_the_cases_reach_every_depth_and_table() -> None:
    assert {(folder, grown) for _, folder, grown in CASES} == \
        set(itertools.product(FOLDERS, GROWN))
