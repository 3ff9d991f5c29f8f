"""The built-in reviewer definitions, shipped in the wheel as reviewloop.builtin_agents."""
