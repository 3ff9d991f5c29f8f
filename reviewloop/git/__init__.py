"""All git access: the repository, working-tree snapshots, run worktrees, trees that are not
checked out (`trees`), and diffs as data that no tree's `.gitattributes` can blind."""
