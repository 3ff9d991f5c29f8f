"""Implementing a task: an LLM agent with repository tools, your own change, or an external CLI."""
