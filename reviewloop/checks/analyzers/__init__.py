"""The analyzers: the deterministic tools behind the reviewers, in one table.

An analyzer is a small adapter around an established tool (bandit, ruff, checkov, hadolint,
zizmor, coverage.py, reviewloop's secrets scanner). The heavy ones (checkov, hadolint, zizmor)
run from their own cached environments, installed on first use (`provision.py`). Which
analyzers run for which reviewer, on which files, is the reviewer's business
(`reviewloop.review.evidence`).

A new analyzer is a module with a class satisfying `Analyzer` and one line in `ANALYZERS`.
"""

from __future__ import annotations

from typing import Protocol

from reviewloop.checks.analyzers.bandit import Bandit
from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError, AnalyzerSkipped
from reviewloop.checks.analyzers.checkov import Checkov
from reviewloop.checks.analyzers.hadolint import Hadolint
from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY, RUFF_PERFORMANCE
from reviewloop.checks.analyzers.test_changes import TestChanges
from reviewloop.checks.analyzers.zizmor import Zizmor
from reviewloop.checks.coverage.analyzer import NewCodeCoverage
from reviewloop.checks.secrets.analyzer import SecretsScan
from reviewloop.findings.schema import Finding

__all__ = ["ANALYZERS", "Analyzer", "AnalyzerContext", "AnalyzerError", "AnalyzerSkipped"]


class Analyzer(Protocol):
    """One tool. `available` says why it cannot run (None when it can); nothing happens at
    construction or import. An analyzer may also define `wants(ctx) -> bool`: False when
    none of the changed files is of a kind it analyzes, so a missing tool with nothing to do
    is not reported as missing."""

    name: str

    def available(self) -> str | None: ...

    def run(self, ctx: AnalyzerContext) -> list[Finding]: ...


ANALYZERS: dict[str, Analyzer] = {
    "bandit": Bandit(),
    "secrets": SecretsScan(),
    "ruff-maintainability": RUFF_MAINTAINABILITY,
    "ruff-performance": RUFF_PERFORMANCE,
    "checkov": Checkov(),
    "hadolint": Hadolint(),
    "zizmor": Zizmor(),
    "coverage": NewCodeCoverage(),
    "test-changes": TestChanges(),
}
