"""Reviewing a change: the reviewer definitions, one reviewer run, triage, rounds, reports.

`definitions` reads the reviewer JSON files (built-in and `.kiro/agents`); `evidence` runs
the analyzers behind each reviewer; `reviewer` runs one LLM reviewer on one change; `triage`
and `rounds` decide what is actionable and carry findings between rounds; `report` and
`sarif` render the outcome. The findings schema itself is core (`reviewloop.findings.schema`).
"""
