"""Secrets: the rule table, the scanner and redaction, and their gate and analyzer adapters."""
