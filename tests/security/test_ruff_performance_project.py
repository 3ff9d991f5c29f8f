"""The project's own ruff rules under the performance view's prefixes are reviewed as the
project configures them. With `preview = true` and ASYNC selected, plain `ruff check .`
reports ASYNC119 (a preview rule); the maintainability view dropped every project
diagnostic under the performance prefixes ("the performance view's own run reports them"),
but that run is `--isolated`, without `preview`, and never did (fuzz round 6, D23). Now the
performance view runs the project's rules too and keeps, under its own prefixes, what its
own run did not report, at the same place.

A matrix: the config file and where `preview` sits (`[lint]`, the top level,
`[tool.ruff.lint]`) × how ASYNC is selected (`select`, `extend-select`) × preview on or off
(the twin: no ASYNC119 from either). Each finding once: ASYNC230, which the performance
view's own run reports too, is not doubled. The review's ASYNC findings equal plain ruff's."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import reviewed

PATH = "svc/worker.py"
CODE = ("import contextlib\n\n\n"
        "async def gen(lock: contextlib.AbstractAsyncContextManager):\n"
        "    async with lock:\n"
        "        yield 1\n\n\n"  # ASYNC119: preview only
        "async def read(path):\n"
        "    with open(path) as f:\n"  # ASYNC230: the performance view's own rule too
        "        return f.read()\n")


def _config(name: str, place: str, key: str, preview: bool) -> dict[str, str]:
    flag = f"preview = {'true' if preview else 'false'}\n"
    rules = f'{key} = ["F", "ASYNC"]\n'
    if name == "pyproject.toml":
        body = '[project]\nname = "x"\n\n[tool.ruff]\n' + (flag if place == "top" else "") \
            + "\n[tool.ruff.lint]\n" + rules + (flag if place == "lint" else "")
    else:
        body = (flag if place == "top" else "") + "\n[lint]\n" + rules \
            + (flag if place == "lint" else "")
    return {name: body}


def _plain(root: Path) -> set[tuple[str, int]]:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=True)
    return {(d["code"], d["location"]["row"]) for d in json.loads(done.stdout)
            if d["code"].startswith("ASYNC") and d["filename"].endswith(PATH)}


def _review(report: dict) -> list[tuple[str, int]]:
    shown = [e.get("finding", e) for bucket in ("remaining", "nits")
             for e in report["findings"].get(bucket, [])]
    return sorted((f["rule"], f["start_line"]) for f in shown
                  if f["file"] == PATH and str(f["rule"]).startswith("ASYNC"))


@pytest.mark.parametrize("preview", [True, False])
@pytest.mark.parametrize("key", ["select", "extend-select"])
@pytest.mark.parametrize(("name", "place"), [("ruff.toml", "lint"), (".ruff.toml", "top"),
                                             ("pyproject.toml", "lint"),
                                             ("pyproject.toml", "top")])
def test_the_projects_performance_rules_count_as_it_configures_them(
        tmp_path: Path, name: str, place: str, key: str, preview: bool) -> None:
    root = tmp_path / "r"
    report = reviewed(root, {**_config(name, place, key, preview), PATH: "x = 1\n"},
                      {PATH: CODE})
    review = _review(report)
    assert len(review) == len(set(review)), review  # each finding once
    assert set(review) == _plain(root), (review, _plain(root))
    assert (("ASYNC119", 6) in review) == preview, review
    assert ("ASYNC230", 10) in review, review
    sources = {f["source"] for f in report["findings"]["remaining"]
               if str(f["rule"]).startswith("ASYNC")}
    assert sources == {"ruff-performance"}, sources  # the performance view, by its table
