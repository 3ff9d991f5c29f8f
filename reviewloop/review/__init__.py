"""Reviewing a change: the reviewer definitions, one reviewer run, triage, rounds, reports.

`definitions` reads the reviewer JSON files (built-in and `.kiro/agents`); `evidence` runs
the analyzers behind each reviewer (on every changed text file); `classify` decides, from
the trusted side only, which files a model skips and flags what a change does to hide one;
`reviewer` runs one LLM reviewer on one change; `triage` and `rounds` decide what is
actionable and carry findings between rounds; `report` and `sarif` render the outcome. The
findings schema itself is core (`reviewloop.findings.schema`).
"""
