"""Helpers shared by several test modules (from test_review.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.repos import feature_branch, init_repo

SARIF_SCHEMA = FIXTURES_ROOT / "schemas" / "sarif-2.1.0.json"


REVIEW_GUARD = 180  # s: a hang guard for a review of a few seconds of CPU, not a measure


def review(root: Path, *args: str, guard: float = REVIEW_GUARD) -> subprocess.CompletedProcess:
    """`reviewloop review ARGS` in `root`, killed after `guard` seconds (a hang guard: a
    review whose CPU is many times the usual one's passes a proportionate one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return warm_cli.run(["review", *args], root, env=env, timeout=guard)


def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"})


MODES = ("head", "staged", "working")


def reviewed_in(root: Path, mode: str) -> dict:
    """The JSON report of the change on branch `feature`, reviewed in `mode` (one of
    `MODES`): the working tree as it is, the index (all of it staged), or the commit of it
    against `main`. Exit 0 expected (`--fail-on never`)."""
    args: tuple[str, ...] = ()
    if mode != "working":
        git(root, "add", "-A")
        args = ("--staged",)
    if mode == "head":
        git(root, "commit", "-qm", "after")
        args = ("--base", "main", "--head", "feature")
    done = review(root, *args, "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def review_feature(files: Mapping[str | bytes, bytes]) -> dict[str, Any]:
    """The JSON report of a real review (`--fail-on never`, exit 0 expected) of a branch
    adding `files` (`repos.feature_branch`), made in a scratch folder and gone after."""
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", files)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def outcomes(report: dict[str, Any], rule: str) -> tuple[set[str], set[str]]:
    """The files of a review's JSON `report` where a finding of `rule` was suppressed, and
    those where one was reported (to act on, or out of scope)."""
    suppressed = {(f.get("finding") or f)["file"] for f in report["findings"]["suppressed"]
                  if (f.get("finding") or f)["rule"] == rule}
    reported = {f["file"] for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == rule}
    return suppressed, reported
