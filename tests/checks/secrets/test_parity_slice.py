"""The CI slice of the secrets parity benchmark (#39): per public source and rule, one secret
the scanner finds and one look-alike it leaves alone, from the five scanners' own test cases
(benchmarks/data/secrets_public, SOURCES.md). A rule or layer lost — a vendored gitleaks rule,
the keyword layer's chosen passwords, a connection string — fails here by name.

`python benchmarks/secrets_parity.py --write-slice` rewrites parity_slice.jsonl from the
scanner as it is; the full comparison with the plain scanners is the benchmark itself.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from reviewloop.checks.secrets.scanner import scan_text

SLICE = Path(__file__).with_name("parity_slice.jsonl")


def _cases() -> list[dict]:
    return [json.loads(line) for line in SLICE.read_text(encoding="utf-8").splitlines()]


def test_the_slice_covers_every_source_and_hundreds_of_rules() -> None:
    cases = _cases()
    sources = Counter(case["source"] for case in cases)
    assert set(sources) == {"gitleaks", "noseyparker", "secretlint", "trufflehog",
                            "detect-secrets"}
    assert len({(c["source"], c["rule"]) for c in cases if c["label"]}) >= 850
    assert sum(not c["label"] for c in cases) >= 80


def test_every_secret_in_the_slice_is_found() -> None:
    lost = sorted({f"{c['source']}:{c['rule']}" for c in _cases()
                   if c["label"] and not scan_text(c["text"])})
    assert lost == []


def test_no_look_alike_in_the_slice_is_flagged() -> None:
    flagged = sorted(f"{c['source']}:{c['rule']}: {h.rule}" for c in _cases()
                     if not c["label"] for h in scan_text(c["text"]))
    assert flagged == []
