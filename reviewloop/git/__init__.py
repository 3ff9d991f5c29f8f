"""All git access: the repository, working-tree snapshots, run worktrees, and unified diffs as data."""
