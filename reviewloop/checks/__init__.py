"""Deterministic checks: hard gates and analyzers side by side, one package per concept.

`gates` holds the guard-rails run after each change (branch, build, test, …) and their
registry; `analyzers` holds the adapters around external tools (bandit, ruff, checkov, …)
that ground the reviewers. Concepts with both a gate and an analyzer keep everything in
one package: `secrets` (rules, scanner, gate, analyzer) and `coverage` (new code, analyzer,
gate; `lines` is the changed-lines threshold). `complexity` measures a change's complexity
increase for governance. `autofix` applies the fixes a tool can make safely, for the offline
fixer.
"""
