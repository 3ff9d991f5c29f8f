"""The analyzers: the deterministic tools behind the reviewers, in one table.

An analyzer is a small adapter around an established tool (bandit, ruff, checkov, coverage.py,
reviewloop's secrets scanner). Which analyzers run for which reviewer, on which files, is the
reviewer's business (`reviewloop.review.evidence`).

A new analyzer is a module with a class satisfying `Analyzer` and one line in `ANALYZERS`.
"""

from __future__ import annotations

from typing import Protocol

from reviewloop.checks.analyzers.bandit import Bandit
from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.checkov import Checkov
from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY, RUFF_PERFORMANCE
from reviewloop.checks.analyzers.test_changes import TestChanges
from reviewloop.checks.coverage.analyzer import NewCodeCoverage
from reviewloop.checks.secrets.analyzer import SecretsScan
from reviewloop.findings import Finding

__all__ = ["ANALYZERS", "Analyzer", "AnalyzerContext", "AnalyzerError"]


class Analyzer(Protocol):
    """One tool. `available` says why it cannot run (None when it can); nothing happens at
    construction or import."""

    name: str

    def available(self) -> str | None: ...

    def run(self, ctx: AnalyzerContext) -> list[Finding]: ...


ANALYZERS: dict[str, Analyzer] = {
    "bandit": Bandit(),
    "secrets": SecretsScan(),
    "ruff-maintainability": RUFF_MAINTAINABILITY,
    "ruff-performance": RUFF_PERFORMANCE,
    "checkov": Checkov(),
    "coverage": NewCodeCoverage(),
    "test-changes": TestChanges(),
}
