"""New-code coverage: which public functions a change adds, which no test runs; analyzer and gate."""
