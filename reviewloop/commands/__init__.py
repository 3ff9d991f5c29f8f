"""One module per CLI command: each takes settings and arguments and returns an exit code."""
