"""Running real git in the tests' temp repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(root: Path, *args: str) -> str:
    """`git ARGS` in `root`; its stdout. A failing command fails the test."""
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout
