"""An `extend` chain resolved as ruff itself resolves it: for generated chains of two to four
configs (the root one selecting, each below it extending the one above, the middle layers
often select-less with only `ignore`, `extend-ignore` or per-file tables), the rules
reviewloop's ruff run reports with the merged table (`ruff_lookup.merged` folded down the
chain into `ruff_config.project_arguments`) are the rules plain `ruff check` reports with the
deepest config, which ruff follows up to the root."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_config import project_arguments
from reviewloop.checks.analyzers.ruff_lookup import merged

CODE = "import os\nprint(1)\nx = 1 == None\n"  # F401, T201, E711
RULES = ("F401", "T201", "E711", "E")
LISTS = st.lists(st.sampled_from(RULES), max_size=2, unique=True)
OPTIONAL = {
    "select": LISTS, "extend-select": LISTS, "ignore": LISTS, "extend-ignore": LISTS,
    "per-file-ignores": st.sampled_from([{"*.py": ["T201"]}, {"other.py": ["F401"]}]),
    "extend-per-file-ignores": st.sampled_from([{"*.py": ["E711"]}, {"x.py": ["F401"]}]),
}
LINT = st.fixed_dictionaries({}, optional=OPTIONAL)
# a middle layer with no selection of its own: only what it deselects
DESELECTING = st.fixed_dictionaries({}, optional={k: v for k, v in OPTIONAL.items()
                                                  if "select" not in k})
# the parent selects: ruff's own default selection (which differs between its versions) is
# not what is compared
PARENT = st.fixed_dictionaries({"select": st.lists(st.sampled_from(RULES), min_size=1,
                                                   max_size=2, unique=True)},
                               optional={k: v for k, v in OPTIONAL.items() if k != "select"})


def _toml(lint: dict[str, Any], extend: str | None = None) -> str:
    lines = [f'extend = "{extend}"'] if extend else []
    lines.append("[lint]")
    for key, value in lint.items():
        if isinstance(value, dict):
            value = "{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}"
                                    for k, v in value.items()) + "}"
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _rules(folder: Path, arguments: list[str], path: str) -> set[str]:
    argv = [*ruff_command(), "check", "--no-cache", "--output-format", "json", *arguments,
            path]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {f["code"] for f in json.loads(done.stdout)}


def _chain_rules(folder: Path, layers: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """(plain ruff's rules with the deepest config, ours with the merged chain): the layers
    written one folder deeper each, each extending the one above, `x.py` in the deepest."""
    texts, where = [], folder
    for depth, lint in enumerate(layers):
        if depth:
            where = where / f"l{depth}"
            where.mkdir()
        texts.append(_toml(lint, "../ruff.toml" if depth else None))
        (where / "ruff.toml").write_text(texts[-1])
    (where / "x.py").write_text(CODE)
    inner = where.relative_to(folder)
    plain = _rules(folder, ["--config", f"{inner}/ruff.toml"], f"{inner}/x.py")
    table = tomllib.loads(texts[0])
    for text in texts[1:]:  # as `_extended` folds it: each config over its parent's merge
        table = merged(table, tomllib.loads(text))
    arguments = project_arguments(table)
    return plain, (set() if arguments is None else _rules(folder, arguments, f"{inner}/x.py"))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=PARENT, child=LINT)
# the reviewer's two cases: the parent's ignore kept under the child's own; the child's
# per-file table replacing the parent's
@example(parent={"select": ["E", "T201"], "ignore": ["T201"]}, child={"ignore": ["E711"]})
@example(parent={"select": ["T201"], "per-file-ignores": {"*.py": ["T201"]}},
         child={"per-file-ignores": {"other.py": ["T201"]}})
def test_the_merged_chain_reports_what_ruff_reports(tmp_path_factory, parent, child):
    plain, ours = _chain_rules(tmp_path_factory.mktemp("chain"), [parent, child])
    assert ours == plain, (parent, child)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(root=PARENT, middle=st.lists(st.one_of(DESELECTING, LINT), min_size=1, max_size=2),
       leaf=st.one_of(DESELECTING, LINT))
# a select-less middle layer's ignore between the root's selection and a leaf's extend-select
@example(root={"select": ["E"]}, middle=[{"ignore": ["E711"]}], leaf={"extend-select": ["T201"]})
# a middle layer's extend-ignore is an ignore: the leaf's select drops it (the review kept it
# as an extend-* list added to, and T201 was lost)
@example(root={"select": ["F401", "T201"]}, middle=[{"extend-ignore": ["T201"]},
                                                     {"per-file-ignores": {"*.py": ["F401"]}}],
         leaf={"select": ["T201", "F401"]})
def test_a_chain_of_three_or_four_reports_what_ruff_reports(tmp_path_factory, root, middle,
                                                            leaf):
    layers = [root, *middle, leaf]
    plain, ours = _chain_rules(tmp_path_factory.mktemp("long"), layers)
    assert ours == plain, layers
