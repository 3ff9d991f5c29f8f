"""Fixing findings: the LLM fixer, the analyzers' safe automatic fixes, the fix-and-retest
loop."""
