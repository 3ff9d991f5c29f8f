"""Views of a run's ledger: the summary, its verdict and JSON, Markdown, SARIF, one-line formats."""
