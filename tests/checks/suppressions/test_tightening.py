"""`tightening` calls a ruff config edit a tightening only when it can only add findings.
Generated (hypothesis, derandomized): the base's and the change's `select` / `extend-select`
/ `ignore` / `per-file-ignores` over a few rule prefixes, at the top level or under `[lint]`
(the change's lists grown, its ignores shrunk, or any other edit). The oracle is plain
ruff on one file that trips every one of them: what it reports with the change's config
includes all it reports with the base's whenever the edit is called a tightening, and the
rules named are the ones added."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.tightening import tightening

CODE = "import os\nprint(1)\nx = 1  # TODO fix\nassert x\nl = 1\n"
PREFIXES = ("F", "T20", "S101", "E741", "FIX")
_LISTS = st.lists(st.sampled_from(PREFIXES), unique=True, max_size=4)
_CONFIG = st.fixed_dictionaries({"select": st.none() | _LISTS, "extend-select": _LISTS,
                                 "ignore": _LISTS, "lint": st.booleans(),
                                 "per-file-ignores": st.none() | st.dictionaries(
                                     st.sampled_from(("app.py", "*.py", "other.py")), _LISTS)})


def _text(config: dict[str, object]) -> str:
    lines = ["[lint]"] if config["lint"] else []
    lines += [f"{key} = {_toml(value)}" for key, value in config.items()
              if key != "lint" and value is not None]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) \
            + "}"
    return json.dumps(value)


def _ruff(folder: Path, config: str) -> set[tuple[str, int]]:
    (folder / "ruff.toml").write_text(config)
    (folder / "app.py").write_text(CODE)
    done = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                           "--output-format", "json", "app.py"], cwd=folder,
                          capture_output=True, text=True, check=False)
    return {(f["code"], f["location"]["row"]) for f in json.loads(done.stdout)}


@st.composite
def _edits(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, object]]:
    """A base config and the change's: its lists grown (a tightening; a `select` where the
    base had none is not one: ruff's defaults were on), or any other."""
    base: dict[str, object] = dict(draw(_CONFIG))
    if draw(st.booleans()):
        return base, dict(draw(_CONFIG))
    head = dict(base)
    if head["select"] is None and draw(st.booleans()):  # a select where ruff's defaults were
        head["select"] = draw(_LISTS)
    for key in ("select", "extend-select"):
        had = head[key]
        if isinstance(had, list):
            head[key] = [*had, *(p for p in draw(_LISTS) if p not in had)]
    if draw(st.booleans()):  # an ignore shrunk (or grown: no tightening), a per-file
        ignored, files = base["ignore"], base["per-file-ignores"]  # pattern or rules dropped
        assert isinstance(ignored, list)
        head["ignore"] = [p for p in ignored if draw(st.booleans())] + \
            [p for p in draw(_LISTS) if p not in ignored and draw(st.booleans())]
        if isinstance(files, dict):
            head["per-file-ignores"] = {k: [p for p in v if draw(st.booleans())]
                                        for k, v in files.items() if draw(st.booleans())}
    return base, head


@settings(max_examples=80, deadline=None, derandomize=True)
@given(_edits())
def _only_adds_findings(edit: tuple[dict[str, object], dict[str, object]]) -> None:
    before, after = _text(edit[0]), _text(edit[1])
    named = tightening("ruff.toml", after, before)
    if named is None:
        return
    with tempfile.TemporaryDirectory() as folder:
        trusted, mine = _ruff(Path(folder), before), _ruff(Path(folder), after)
    assert trusted <= mine, (before, after)
    assert {name.rpartition(" ")[2] for name in named} <= {*PREFIXES, "*"}, named
    HITS.append(named)


HITS: list[list[str]] = []


def test_a_ruff_tightening_only_adds_findings_and_the_generator_reaches_tightenings() -> None:
    """The property over every drawn edit, then what its tightenings covered: one pass (a
    test of the generator's reach of its own ran all its ruff runs again)."""
    HITS.clear()
    _only_adds_findings()
    assert len(HITS) >= 10
    assert sum(" without " in name for named in HITS for name in named) >= 5  # ignores shrunk
