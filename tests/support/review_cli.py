"""Helpers shared by several test modules (from test_review.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support import warm_cli
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.repos import init_repo

SARIF_SCHEMA = FIXTURES_ROOT / "schemas" / "sarif-2.1.0.json"


def review(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return warm_cli.run(["review", *args], root, env=env, timeout=180)


def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"})
