"""The scanner on big inputs: the overlap check keeps exactly what the quadratic check kept,
the hits on the labelled sets are the ones recorded before the scanner was made cheaper, a
large text is redacted once for parallel callers, and a diff's lines are scanned only for
the files asked for."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import pytest

from reviewloop.checks.secrets import diff_scan, scanner
from reviewloop.git.diff import parse_diff
from tests.support.paths import ROOT

HERE = Path(__file__).parent
TOKEN = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"  # built here: no token in the file


def quadratic_claim(candidates):
    """The overlap check the scanner used to make: every candidate against every kept span."""
    kept = []
    for candidate in candidates:
        if not any(candidate[0] < e and s < candidate[1] for s, e, *_ in kept):
            kept.append(candidate)
    return sorted(kept)


@pytest.mark.parametrize("seed", range(20))
def test_claim_spans_keeps_what_the_quadratic_check_kept(seed: int) -> None:
    rng = random.Random(seed)
    candidates = []
    for i in range(300):  # overlapping, nested, touching and duplicate spans
        start = rng.randrange(0, 2000)
        candidates.append((start, start + rng.randrange(1, 60), f"r{i}", "d", 0.5))
    candidates += candidates[:20]
    assert scanner.claim_spans(candidates) == quadratic_claim(candidates)


@pytest.mark.parametrize("name", ["secrets_public.jsonl", "secrets_labelled.jsonl"])
def test_hits_on_the_labelled_sets_are_the_ones_recorded_before(name: str) -> None:
    """scanner_hits_before.json: every hit (rule, offsets, line, column, confidence) the
    scanner of commit f4fc828 reported on each text, before the big-input changes, and the
    four true secrets it has found since #39 (a short Slack bot token, a Discord client
    secret, a lower-case password, a hex password in a URL); since #39 too, a secret that a
    vendored gitleaks vendor rule knows carries that rule's id instead of `generic-secret`
    (same span); three true secrets, unquoted values holding `}` `)` `[` `#`, now read
    whole as their line's format reads them (`pwd = sEw}phqx76$RJUN,s2QJ`); and one after
    `:=` read as one operator (`apikey:= m{{h}o)p${e]nob(…`, detect-secrets' own case)."""
    before = json.loads((HERE / "scanner_hits_before.json").read_text())[name]
    rows = [json.loads(line) for line in
            (ROOT / "benchmarks" / "data" / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    now = [[[h.rule, h.start, h.end, h.line, h.column, h.confidence]
            for h in scanner.scan_text(row["text"])] for row in rows]
    assert now == before


def _big_text() -> str:
    rng = random.Random(4)
    lines = [f"+value_{i} = {rng.randrange(10**6)}" for i in range(3000)]
    lines[1234] = f'+TOKEN = "{TOKEN}"'
    return "\n".join(lines) + "\n"


def test_a_large_text_redacted_by_parallel_callers_gives_each_the_same_result() -> None:
    text = _big_text()
    assert len(text) > 16_384
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(scanner.redact(text)))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = text.replace(TOKEN, "[REDACTED:github-token]")
    assert results == [expected] * 5
    assert scanner.redact(text[:-1] + "\n") == expected  # an equal text, another object


def test_scan_changes_scans_only_the_files_asked_for() -> None:
    diff = "".join(
        f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n"
        f"@@ -0,0 +1,2 @@\n+x = 1\n+KEY = \"{TOKEN}\"\n" for p in ("a.py", "b.py", "c.py"))
    changes = parse_diff(diff)
    assert [(h.path, h.line) for h in diff_scan.scan_changes(changes, ["b.py"])] == [("b.py", 2)]
    assert [h.path for h in diff_scan.scan_changes(changes)] == ["a.py", "b.py", "c.py"]
    assert diff_scan.scan_changes(changes) == diff_scan.scan_added_lines(diff)
