"""Fixing findings: the LLM fixer, the analyzers' safe automatic fixes, and the fix-and-retest loop."""
