"""The offline fixer: only fixes a tool can make safely, never a guess.

With the LLM off, the findings an analyzer can repair itself are repaired by that analyzer
(ruff's safe fixes, limited to the rules that were reported); everything else is left for
the human and said so.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.findings.schema import Finding


@dataclass(frozen=True)
class AutofixResult:
    fixed_rules: tuple[str, ...]
    files: tuple[str, ...]
    left: tuple[Finding, ...]  # no safe automatic fix exists for these
    output: str = ""


def safe_fixes(root: Path, findings: Sequence[Finding], *, timeout: float = 120) -> AutofixResult:
    ruff = [f for f in findings if f.source.startswith("ruff") and f.rule]
    left = tuple(f for f in findings if f not in ruff)
    if not ruff:
        return AutofixResult((), (), left)
    rules = tuple(sorted({f.rule for f in ruff if f.rule}))
    files = tuple(sorted({f.file for f in ruff}))
    command = [*ruff_command(), "check", "--isolated", "--fix", "--quiet",
               "--exit-zero", "--select", ",".join(rules), *files]
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return AutofixResult((), (), tuple(findings), output=f"ruff could not run: {exc}")
    return AutofixResult(rules, files, left, output=(proc.stdout + proc.stderr)[-2000:])
