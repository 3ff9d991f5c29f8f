"""The scanner's quality on labelled sets, through the same code `benchmarks/secrets.py` runs.

The public set is other projects' published test cases (benchmarks/data/SOURCES.md); the
floors are the figures reached when the set was built, so a change that loses hits or adds
false alarms there fails here. detect-secrets is the tool the scanner wraps: the scanner
must stay ahead of it in precision and F1 on the same texts.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from types import ModuleType

import pytest

from tests.support.paths import ROOT

DATA = ROOT / "benchmarks" / "data"


@cache
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("secrets_benchmark",
                                                  ROOT / "benchmarks" / "secrets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def public() -> list[dict]:
    return bench().load(bench().PUBLIC_SET)


def test_the_public_set_is_other_projects_test_cases() -> None:
    rows = public()
    assert {r["source"] for r in rows} == {"gitleaks", "detect-secrets", "trufflehog"}
    assert sum(r["secret"] for r in rows) >= 250 and sum(not r["secret"] for r in rows) >= 230
    assert len({r["kind"] for r in rows}) >= 30
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for repository in ("gitleaks/gitleaks", "Yelp/detect-secrets", "trufflesecurity/trufflehog"):
        assert repository in sources


def test_the_public_set_is_what_its_builder_writes(tmp_path, monkeypatch) -> None:
    spec = importlib.util.spec_from_file_location("make_public",
                                                  DATA / "make_secrets_public.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    monkeypatch.setattr(builder, "OUT", tmp_path / "public.jsonl")
    builder.main()
    rebuilt = [json.loads(line) for line in builder.OUT.read_text(encoding="utf-8").splitlines()]
    assert rebuilt == public()


def test_public_set_floor() -> None:
    result = bench().score(public(), bench().reviewloop_flags)
    assert result["recall"] >= 0.91, result["missed"]
    assert result["precision"] >= 0.96, result["false_alarms"]


def test_never_worse_than_detect_secrets_alone_on_the_public_set() -> None:
    plain = bench().detect_secrets_flags()
    if plain is None:
        pytest.skip("detect-secrets is not installed")
    ours = bench().score(public(), bench().reviewloop_flags)
    theirs = bench().score(public(), plain)
    assert ours["precision"] >= theirs["precision"]
    assert bench().f1(ours) >= bench().f1(theirs)


def test_own_set_floor() -> None:
    result = bench().score(bench().load(bench().OWN_SET), bench().reviewloop_flags)
    assert result["n_pos"] >= 150 and result["n_neg"] >= 140
    assert result["recall"] >= 0.98, result["missed"]
    assert result["precision"] >= 0.99, result["false_alarms"]
