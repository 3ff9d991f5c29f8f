"""Plain bandit as its users run it on a checkout (`bandit -r .`), for tests comparing a
review with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


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
