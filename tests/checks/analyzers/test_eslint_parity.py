"""A slice of the JS/TS parity benchmark (`benchmarks/js_parity.py`) on every build: for each
rule of the public rule tests, its first two invalid cases and first valid case of the report
half, through reviewloop's real ESLint views as a review runs them. A rule the layer stops
running, or a case it stops reading, fails here; the full comparison with plain ESLint is the
benchmark's."""

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
    spec = importlib.util.spec_from_file_location("js_parity", ROOT / "benchmarks" /
                                                  "js_parity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_material_is_the_four_suites_split_in_two_halves() -> None:
    rows = bench().load("both")
    assert {r["source"] for r in rows} == {"eslint", "typescript-eslint",
                                           "eslint-plugin-security",
                                           "eslint-plugin-no-unsanitized"}
    report = bench().load("report")
    assert 0.4 < len(report) / len(rows) < 0.6
    # cases are split one by one: a rule with a handful of cases has some in the report half
    sizes = {rule: sum(r["rule"] == rule for r in rows) for rule in {r["rule"] for r in rows}}
    assert {rule for rule, n in sizes.items() if n >= 4} <= {r["rule"] for r in report}
    slice_ = bench().ci_slice(report)
    assert len(slice_) <= 3 * len({r["rule"] for r in rows})


@pytest.mark.npm
def test_every_rule_still_finds_its_slice_of_the_report_half(tmp_path: Path,
                                                             eslint_tools: Path) -> None:
    cases = bench().ci_slice(bench().load("report"))
    root = tmp_path / "repo"
    diff, files = bench().make_repo(root, cases, types=False)

    flags, unread = bench().reviewloop_flags(root, diff)

    wrong = [(case["rule"], "invalid" if case["label"] else "valid", case["code"][:80])
             for path, case in zip(files, cases, strict=True)
             if (case["rule"] in flags.get(path, set())) != case["label"]]
    assert wrong == []
    assert unread == set()
