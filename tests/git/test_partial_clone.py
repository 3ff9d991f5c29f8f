"""A partial clone (`git clone --filter=blob:none`) reads a file's content from its remote
when first asked. With that remote gone, the review died as an internal error (exit 3, a
crash log) on the first base blob it read (fuzz round 8). It is the repository's state, not
a defect: the review either gives the same answer a full clone gives, or stops with exit 2
saying the clone is partial and its remote unreachable, with the fix.

Generated: what the feature does to a file main also moves (edits it, leaves it, adds a new
file beside it) × how it is reviewed (the two commits, the working tree against main). The
oracle is the same review in a full clone."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import branch_repo, commit
from tests.support.review_cli import review

BAD = "import subprocess\n\n\ndef run(x):\n    subprocess.call(x, shell=True)\n"
FEATURES = {"edits": {"a.py": "VALUE = 1\n" + BAD}, "adds": {"b.py": BAD},
            "both": {"a.py": "VALUE = 1\n" + BAD, "b.py": BAD}}
SHAPES = list(itertools.product(sorted(FEATURES), ("head", "working")))


def _clone(tmp: Path, feature: str, *, partial: bool) -> Path:
    source = branch_repo(tmp / "source", {"a.py": "VALUE = 1\n"}, FEATURES[feature])
    git(source, "checkout", "-q", "main")
    commit(source, {"c.py": "VALUE = 3\n"}, "main moves on")
    bare = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(source), str(bare))
    git(bare, "config", "uploadpack.allowFilter", "true")
    clone = tmp / ("partial" if partial else "full")
    filters = ["--filter=blob:none"] if partial else []
    subprocess.run(["git", "clone", "-q", *filters, "--branch", "feature", f"file://{bare}",
                    str(clone)], check=True, capture_output=True)
    git(clone, "fetch", "-q", "origin", "main:main")
    shutil.rmtree(bare)
    return clone


def _review(clone: Path, mode: str) -> subprocess.CompletedProcess:
    args = ("--base", "main", "--head", "feature") if mode == "head" else ("--base", "main")
    return review(clone, *args, "--json", "--fail-on", "never")


def _answer(done: subprocess.CompletedProcess) -> list[tuple[str, str, str, int]]:
    findings = json.loads(done.stdout)["findings"]
    return sorted((kind, f["rule"], f["file"], f["start_line"])
                  for kind, listed in findings.items() for f in listed)


@pytest.mark.parametrize(("feature", "mode"), SHAPES)
def test_a_partial_clone_without_its_remote_answers_as_a_full_clone_or_says_so(
        tmp_path, feature, mode) -> None:
    full = _review(_clone(tmp_path / "f", feature, partial=False), mode)
    assert full.returncode == 0, full.stderr[-2000:]
    partial = _review(_clone(tmp_path / "p", feature, partial=True), mode)
    if partial.returncode == 0:
        assert _answer(partial) == _answer(full)
        return
    assert partial.returncode == 2, partial.stderr[-2000:]
    assert "partial clone and its remote cannot be reached" in partial.stderr
    assert "fix: " in partial.stderr and "internal error" not in partial.stderr
