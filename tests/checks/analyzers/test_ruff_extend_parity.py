"""An `extend` chain resolved as ruff itself resolves it: for generated chains of two to four
configs (the root one selecting, each below it extending the one above, the middle layers
often select-less with only `ignore`, `extend-ignore` or per-file tables; each setting spelled
at the top, the older place, or under `[lint]`, or both; per-file patterns from either
folder), the rules reviewloop's project run reports with the chain written out
(`ruff_lookup.Lookup`'s layers through `ruff_chain.written`) are the rules plain `ruff check`
reports with the deepest config, which ruff follows up to the root. Fuzz round 9a: D2 (a
child's `extend-select` after its parent's `ignore`), D10 (top-level and `[lint]` spellings
mixed), D4 (a root's per-file pattern inherited by a nested config)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_chain import selects, written
from reviewloop.checks.analyzers.ruff_lookup import Lookup

CODE = "import os\nprint(1)\nx = 1 == None\n"  # F401, T201, E711
RULES = ("F401", "T201", "E711", "E", "T20")
LISTS = st.lists(st.sampled_from(RULES), max_size=2, unique=True)
# per-file patterns: a name, and paths that match `x.py` from the root's folder only
# (`l1/*`), from the deepest folder only (`x.py` in it, `l2/x.py` from `l1`), or any
PATTERNS = st.sampled_from(["*.py", "other.py", "l1/*", "l2/x.py", "*/x.py", "x.py"])
TABLES = st.dictionaries(PATTERNS, st.lists(st.sampled_from(RULES), min_size=1, max_size=2,
                                            unique=True), min_size=1, max_size=2)
OPTIONAL = {
    "select": LISTS, "extend-select": LISTS, "ignore": LISTS, "extend-ignore": LISTS,
    "per-file-ignores": TABLES, "extend-per-file-ignores": TABLES,
}
TOP = ("select", "extend-select", "ignore", "extend-ignore", "per-file-ignores")
LINT = st.fixed_dictionaries({}, optional=OPTIONAL)
# a middle layer with no selection of its own: only what it deselects
DESELECTING = st.fixed_dictionaries({}, optional={k: v for k, v in OPTIONAL.items()
                                                  if "select" not in k})
# the parent selects: ruff's own default selection (which differs between its versions) is
# not what is compared
PARENT = st.fixed_dictionaries({"select": st.lists(st.sampled_from(RULES), min_size=1,
                                                   max_size=2, unique=True)},
                               optional={k: v for k, v in OPTIONAL.items() if k != "select"})
# which settings of a layer are written at the top (ruff's older place) rather than in [lint]
PLACES = st.lists(st.sampled_from(TOP), max_size=3, unique=True)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}"
                               for k, v in value.items()) + "}"
    return json.dumps(value)


def _toml(lint: dict[str, Any], top: dict[str, Any], extend: str | None = None) -> str:
    lines = [f'extend = "{extend}"'] if extend else []
    lines += [f"{key} = {_value(value)}" for key, value in top.items()]
    lines.append("[lint]")
    lines += [f"{key} = {_value(value)}" for key, value in lint.items()]
    return "\n".join(lines) + "\n"


def _rules(folder: Path, arguments: list[str], path: str) -> set[str]:
    argv = [*ruff_command(), "check", "--no-cache", "--output-format", "json", *arguments,
            path]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {f["code"] for f in json.loads(done.stdout)}


def _chain_rules(folder: Path, layers: list[dict[str, Any]],
                 tops: list[dict[str, Any]] | None = None) -> tuple[set[str], set[str]]:
    """(plain ruff's rules on the deepest folder's `x.py`, ours with the chain written out):
    the layers (`[lint]` settings; `tops`, top-level ones) written one folder deeper each,
    each extending the one above."""
    folder = Path(os.path.realpath(folder))
    tops = tops or [{} for _ in layers]
    where, inner = folder, ""
    for depth, (lint, top) in enumerate(zip(layers, tops, strict=True)):
        if depth:
            where, inner = where / f"l{depth}", f"{inner}l{depth}/"
            where.mkdir()
        (where / "ruff.toml").write_text(_toml(lint, top, "../ruff.toml" if depth else None))
    (where / "x.py").write_text(CODE)
    plain = _rules(folder, [], f"{inner}x.py")  # as users run it: ruff finds the config

    def read(path: str) -> str | None:
        file = folder / path
        return file.read_text() if file.is_file() else None

    governing = Lookup(None, read).of(f"{inner}x.py")
    assert governing is not None and governing.problem is None
    if not selects(governing.layers):
        return plain, set()
    scratch = folder / "scratch"
    scratch.mkdir()
    config = written(governing.layers, str(folder), scratch, None)
    return plain, _rules(folder, ["--config", str(config)], str(folder / f"{inner}x.py"))


@st.composite
def spelled(draw: st.DrawFn, layer: st.SearchStrategy[dict[str, Any]]
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A layer's settings split into ([lint] ones, top-level ones); a setting moved to the
    top is sometimes kept under [lint] too, with another value (`lint.` wins)."""
    settings_ = draw(layer)
    lint, top = dict(settings_), {}
    for key in draw(PLACES):
        if key in lint:
            top[key] = lint.pop(key)
            if draw(st.booleans()):
                lint[key] = draw(OPTIONAL[key])
    return lint, top


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


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=spelled(PARENT), child=spelled(st.one_of(DESELECTING, LINT)))
# D2: the child's extend-select of what its parent ignores
@example(parent=({"select": ["E", "F", "T20"], "ignore": ["T201"]}, {}),
         child=({"extend-select": ["T201"]}, {}))
# D10: the parent's [lint] select, the child's top-level select
@example(parent=({"select": ["E", "F"]}, {}), child=({}, {"select": ["T20"]}))
# D10: the parent's top-level ignore, the child's [lint] select
@example(parent=({"select": ["T20"]}, {"ignore": ["T201"]}), child=({"select": ["T20"]}, {}))
# D4: the root's per-file pattern, from the root's folder
@example(parent=({"select": ["T20"], "per-file-ignores": {"l1/*": ["T201"]}}, {}),
         child=({}, {}))
def test_layers_spelled_at_either_level_report_what_ruff_reports(tmp_path_factory, parent,
                                                                child):
    plain, ours = _chain_rules(tmp_path_factory.mktemp("spelled"), [parent[0], child[0]],
                               [parent[1], child[1]])
    assert ours == plain, (parent, child)
