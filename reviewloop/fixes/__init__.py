"""Fixing findings: the LLM fixer, the analyzers' safe automatic fixes, the fix-and-retest
loop with a budget per group of findings, and the tests relevant to a fix."""
