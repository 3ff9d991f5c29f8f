"""Running commands for a project or a model: one process group, a hard timeout, an allow-listed
environment, inside the OS sandbox (bubblewrap)."""
