"""Plain bandit as its users run it on a checkout (`bandit -r .`), for tests comparing a
review with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def b101_counts(root: Path) -> dict[str, int]:
    """Plain `bandit -r .`'s B101 (assert) findings in `root`, counted per file."""
    done = subprocess.run([sys.executable, "-m", "bandit", "-r", ".", "-q", "-f", "json"],
                          cwd=root, capture_output=True, text=True, check=False)
    counts: dict[str, int] = {}
    for issue in json.loads(done.stdout)["results"]:
        if issue["test_id"] == "B101":
            path = issue["filename"].removeprefix("./")
            counts[path] = counts.get(path, 0) + 1
    return counts


def cli_report(targets: list[str], config: str | None, cwd: Path) -> tuple[int, str]:
    """(exit code, stdout) of bandit's CLI with the argv the bandit analyzer starts it with
    (`reviewloop.checks.analyzers.bandit`): the oracle of its in-process run."""
    argv = [sys.executable, "-m", "bandit", "-f", "json", "-q", "--ignore-nosec",
            "-x", "/dev/null/none", *(["-c", config] if config else []), "--", *targets]
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout


def without_time(report: str) -> dict[str, Any]:
    """A bandit JSON report but the moment it was written."""
    data: dict[str, Any] = json.loads(report)
    data.pop("generated_at")
    return data
