"""A slice of the parity benchmark (`benchmarks/parity.py`) on every build: for bandit,
shellcheck and checkov, four rules of the report half (each with two flagged and one clean
case; a bandit example whole), through reviewloop's analyzers as a review runs them. A rule
the layer stops reporting, or reports where the rule's own tests say it must not, fails
here; the comparison with the plain tools is the benchmark's."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.paths import ROOT


@cache
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("parity", ROOT / "benchmarks" / "parity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def misses(tool: str, tmp_path: Path) -> list[tuple[str, float, float | None]]:
    """The slice's rules where reviewloop's layer falls short of the labels."""
    rows = bench().ci_slice(bench().load(tool, "report"))
    tools = sys.modules["benchmarks.parity_tools"]  # imported by the benchmark, just above
    compared = tools.TOOLS_COMPARED[tool]
    diff, _files = bench().make_repo(tmp_path / "repo", rows, compared)
    hits = tools.reviewloop_hits(compared, tmp_path / "repo", diff)
    scores = {row["rule"]: compared.score(row, tools.folder(row), hits) for row in rows}
    assert len(scores) == 4
    return [(rule, s.recall, s.precision) for rule, s in scores.items()
            if s.recall < 1 or s.precision not in (1.0, None)]


@pytest.mark.parametrize("tool", ["bandit", "shellcheck", "checkov"])
def test_the_material_is_split_whole_by_rule_into_three_parts(tool: str) -> None:
    rows = bench().load(tool, "both")
    report, held_out = bench().load(tool, "report"), bench().load(tool, "held-out")
    assert not {r["rule"] for r in report} & {r["rule"] for r in rows if r["split"] == "tune"}
    assert 0.3 < len(report) / (len(rows) + len(held_out)) < 0.6
    assert 0 < len(held_out) < len(report)


def test_bandit_still_finds_its_slice_of_the_report_half(tmp_path: Path) -> None:
    assert misses("bandit", tmp_path) == []


@pytest.mark.pypi
def test_shellcheck_still_finds_its_slice_of_the_report_half(tmp_path: Path,
                                                             shellcheck_tools: Path) -> None:
    assert misses("shellcheck", tmp_path) == []


@pytest.mark.pypi
def test_checkov_still_finds_its_slice_of_the_report_half(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    assert misses("checkov", tmp_path) == []
