"""Plain `detect-secrets scan`, as its users run it: the oracle the secrets tests compare the
scanner with (detect-secrets is a dependency of the package, so it sits beside this Python)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")


def plain_scan(root: Path, kind: str | None = None) -> dict[tuple[str, int], set[str]]:
    """`detect-secrets scan --all-files .` in `root`: the hashed secrets by (file, line), of
    every type or only of `kind` (e.g. "Secret Keyword")."""
    run = subprocess.run([str(DETECT_SECRETS), "scan", "--all-files", "."], cwd=root,
                         capture_output=True, text=True, check=True)
    found: dict[tuple[str, int], set[str]] = {}
    for path, secrets in json.loads(run.stdout)["results"].items():
        for s in secrets:
            if kind is None or s["type"] == kind:
                found.setdefault((path, s["line_number"]), set()).add(s["hashed_secret"])
    return found
