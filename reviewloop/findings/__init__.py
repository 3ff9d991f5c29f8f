"""Findings and their ledger: the one `Finding` schema, the ledger's lifecycle, triage, and
recording a round (which suppressions count is `reviewloop.checks.suppressions`)."""
