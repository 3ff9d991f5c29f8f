"""Plain ruff as its users run it on a checkout (`python -m ruff check`), for tests comparing
a review with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def files_reporting(root: Path, rule: str, target: str = ".") -> set[str]:
    """The files (POSIX, relative to `root`) plain ruff reports `rule` in, checking `target`
    with only that rule selected."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select",
                           rule, "--output-format", "json", target], cwd=root,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {Path(d["filename"]).relative_to(root.resolve()).as_posix()
            for d in json.loads(done.stdout)}
