"""New-code coverage: which public functions a change adds and no test runs; analyzer and gate."""
