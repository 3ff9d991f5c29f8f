"""All git access: the repository, working-tree snapshots, run worktrees, and diffs as data."""
