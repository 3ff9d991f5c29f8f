"""Helpers shared by several test modules (from test_review.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitutil import git
from tests.support.paths import FIXTURES as FIXTURES_ROOT

SARIF_SCHEMA = FIXTURES_ROOT / "schemas" / "sarif-2.1.0.json"


def review(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([sys.executable, "-m", "reviewloop", "review", *args], cwd=root,
                          capture_output=True, text=True, timeout=180, env=env,
                          stdin=subprocess.DEVNULL)


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "r"
    root.mkdir()
    (root / "app.py").write_text("VALUE = 1\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    return root
