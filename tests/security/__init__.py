"""The attack corpus: hostile inputs (paths, symlinks, shell tricks, planted markers, config
in a PR, huge or odd files), each a test that shows reviewloop holding. It grows with every
report: add a case here before fixing what it found."""
