"""Findings and their ledger: the one `Finding` schema, the ledger's lifecycle, triage, recording a
round, and the suppressions a review honours."""
