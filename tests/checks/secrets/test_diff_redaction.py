"""A file's diff redacted for the prompt reuses the scan of its added lines: the redaction
is the whole-diff scan's, and a review scans each added line once, not once for the
analyzer and again for the prompt."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from pathlib import Path

import pytest

from reviewloop.checks.secrets import scanner
from reviewloop.checks.secrets.diff_redaction import redact_file_diff, unscanned_part
from reviewloop.config import Settings
from reviewloop.git.diff import parse_diff
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.paths import ROOT
from tests.support.repos import init_repo
from tests.support.runner import REVIEWERS, review

_SECRETS = [json.loads(line)["text"] for line in
            (ROOT / "tests/checks/secrets/parity_slice.jsonl").read_text().splitlines()]
_FILLER = ("x = 1", "def f(a):", "    return a + 2", "# comment", "", "import os",
           "password = (", "key:", "    token =")


def _diff(rng: random.Random, secret: str) -> str:
    """One file's diff: filler lines around `secret`'s lines, each line added, removed or
    unchanged (all of them one way, or mixed), under git's full-index header."""
    mode = rng.choice(["+", " ", "-", "mixed"])
    lines = [(rng.choice(" +-"), rng.choice(_FILLER)) for _ in range(rng.randint(0, 4))]
    lines += [(rng.choice(" +-") if mode == "mixed" else mode, s) for s in secret.split("\n")]
    lines += [(rng.choice(" +-"), rng.choice(_FILLER)) for _ in range(rng.randint(0, 4))]
    old = sum(kind in " -" for kind, _ in lines)
    new = sum(kind in " +" for kind, _ in lines)
    blobs = f"{rng.getrandbits(160):040x}..{rng.getrandbits(160):040x}"
    return (f"diff --git a/s.py b/s.py\nindex {blobs} 100644\n--- a/s.py\n+++ b/s.py\n"
            f"@@ -1,{old} +1,{new} @@\n" + "".join(f"{k}{t}\n" for k, t in lines))


def test_a_file_diff_is_redacted_as_the_whole_diff_scan_redacts_it() -> None:
    rng = random.Random(41)
    redacted = 0
    for secret in _SECRETS:
        file = parse_diff(_diff(rng, secret)).files[0]
        whole = scanner.redact(file.text)
        assert redact_file_diff(file) == whole, file.text
        redacted += whole != file.text
    assert redacted > len(_SECRETS) // 3  # the cases hold secrets in every position


def test_only_the_added_lines_inside_a_run_and_the_blob_ids_are_left_unscanned() -> None:
    text = ("diff --git a/s.py b/s.py\nindex " + "a" * 40 + ".." + "b" * 40 + " 100644\n"
            "--- a/s.py\n+++ b/s.py\n@@ -1,2 +1,5 @@\n ctx\n+first\n+inner\n+last\n-gone\n"
            "+alone\n")
    assert unscanned_part(text) == (
        "diff --git a/s.py b/s.py\nindex\n--- a/s.py\n+++ b/s.py\n@@ -1,2 +1,5 @@\n ctx\n"
        "+first\n+\n+last\n-gone\n+alone\n")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return init_repo(tmp_path / "r", {"app.py": "".join(f"A_{i} = {i}\n" for i in range(12))})


def test_a_review_scans_each_added_line_once(repo: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The secrets analyzer, the secrets gate and the prompt's redaction read the same
    added lines; only a run's first and last line is read again, where it meets the
    unchanged lines around it."""
    tag = uuid.uuid4().hex[:12]  # no earlier scan of these lines is remembered
    added = [f"NEW_{tag}_{i} = {i}" for i in range(20)]
    old = (repo / "app.py").read_text().splitlines()
    (repo / "app.py").write_text("\n".join([*old[:6], *added[:10], *old[6:], *added[10:]])
                                 + "\n")
    (repo / "new.py").write_text("".join(f"NEW_{tag}_n{i} = {i}\n" for i in range(10)))
    scanned: list[str] = []
    scan = scanner.candidates

    def counting(text: str, **options: bool):
        scanned.append(text)
        return scan(text, **options)

    monkeypatch.setattr(scanner, "candidates", counting)
    model = ScriptedChatModel()
    for name in REVIEWERS:
        model.script(f"agent: {name}", [review()])

    summary = review_change(repo, Settings(model="scripted"), DiffSource(),
                            model_factory=lambda name: model, llm=True)

    assert isinstance(summary, RunSummary)
    assert any(f"NEW_{tag}_0 = 0" in message_text(m)  # the diff was sent, redacted
               for h in model.history for m in h)
    reads = Counter()
    for text in scanned:
        for line in text.split("\n"):
            if f"NEW_{tag}_" in line:
                reads[line.lstrip("+").split("\t")[-1]] += 1
    runs = [added[:10], added[10:], [f"NEW_{tag}_n{i} = {i}" for i in range(10)]]
    for run in runs:
        assert [reads[line] for line in run[1:-1]] == [1] * (len(run) - 2), reads
        assert all(reads[line] <= 2 for line in (run[0], run[-1])), reads
