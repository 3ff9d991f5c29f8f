"""The analyzers: the deterministic tools behind the reviewers, in one table.

An analyzer is a small adapter around an established tool (bandit, ruff, checkov, hadolint,
zizmor, coverage.py, reviewloop's secrets scanner). The heavy ones (checkov, hadolint, zizmor)
run from their own cached environments, installed on first use (`provision.py`). Which
analyzers run for which reviewer, on which files, is the reviewer's business
(`reviewloop.review.evidence`).

A new analyzer is a module with a class satisfying `Analyzer` and one line in `ANALYZERS`
(`registry.py`), or, from a package of its own, an entry point in `reviewloop.analyzers`
(docs/plugins.md). This package's `__init__` imports nothing, so an analyzer module (or the
coverage and secrets packages' analyzers) can import `base` without running the table.
"""
