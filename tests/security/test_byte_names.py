"""A changed file whose name is not UTF-8 is analysed under its own bytes and named in every
view: `reviewloop review --base main --head feature` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.repos import feature_branch
from tests.support.review_cli import review

RISKY = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
SHOWN = "mod_\\xff.py"  # the name's text form: its byte written as people read it


def _branch(tmp_path: Path) -> Path:
    """`main` with a README; `feature` adds `mod_<0xff>.py`, a shell=True call (bandit B602)."""
    return feature_branch(tmp_path / "r", {b"mod_\xff.py": RISKY})


def test_a_name_that_is_not_utf8_is_analysed_and_named_in_every_view(tmp_path: Path) -> None:
    root = _branch(tmp_path)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix",
                  "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (SHOWN, "B602") in {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    assert report["files"]["created"] == [SHOWN]
    [row] = report["health"]["files"]
    assert row["path"] == SHOWN and row["not_read"] == []
    assert "bandit (review-security)" in row["analysed_by"]
    assert report["health"]["complete"] is True

    text = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix")
    assert text.returncode == 1 and f"{SHOWN}:5" in text.stdout

    sarif = json.loads(review(root, "--base", "main", "--head", "feature", "--format",
                              "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert uris == {"mod_%FF.py"}  # the name's bytes, percent-encoded as a URI has them

    markdown = review(root, "--base", "main", "--head", "feature", "--format", "markdown")
    assert f"`{SHOWN}:5`" in markdown.stdout
