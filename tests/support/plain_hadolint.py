"""Plain hadolint as its users run it, for tests comparing a review's hadolint findings and
pragmas with it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewloop.findings.schema import Finding, Severity


def reported(binary: Path, root: Path, files: Sequence[str], *options: str,
             env: Mapping[str, str] | None = None) -> set[tuple[str, int, str]]:
    """(file, line, rule) of each finding plain hadolint reports on `files` in `root`."""
    done = subprocess.run([str(binary), "-f", "json", "--no-fail", *options, *files],
                          cwd=root, capture_output=True, text=True, check=False, timeout=300,
                          env=None if env is None else dict(env))
    return {(item["file"], item["line"], item["code"]) for item in json.loads(done.stdout)}


def finding(file: str, line: int, rule: str) -> Finding:
    """A hadolint finding as the analyzer makes one, for the suppressor to judge."""
    return Finding(severity=Severity.NIT, file=file, start_line=line, end_line=line,
                   title=rule, rationale="r", confidence=0.7, agent="review-infrastructure",
                   source="hadolint", rule=rule)
