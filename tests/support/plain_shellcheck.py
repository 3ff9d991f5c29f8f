"""Plain shellcheck as an oracle: what `shellcheck --norc -f json` reports on files, and the
finding reviewloop's shellcheck analyzer would make of one of its reports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from reviewloop.findings.schema import Finding, Severity


def reported(binary: Path, root: Path, names: list[str]) -> set[tuple[str, int, str]]:
    """(file, line, `SCnnnn`) of each finding plain shellcheck reports on `names` under
    `root`, with no rc file and an empty PATH (the binary needs neither)."""
    done = subprocess.run([str(binary), "--norc", "-f", "json", *names], cwd=root,
                          capture_output=True, text=True, check=False, timeout=300,
                          env={"PATH": "/nonexistent"})
    return {(item["file"], item["line"], f"SC{item['code']}")
            for item in json.loads(done.stdout)}


def finding(file: str, line: int, rule: str) -> Finding:
    return Finding(severity=Severity.NIT, file=file, start_line=line, end_line=line,
                   title=rule, rationale="r", confidence=0.7, agent="review-maintainability",
                   source="shellcheck", rule=rule)
