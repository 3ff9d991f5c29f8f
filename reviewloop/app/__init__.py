"""The use cases every face calls: a review, a task run (and its batch, its approval, what
follows a commit), a pull request's review and its comment commands, the hand-off, the runs
and tasks listed. The command line, the MCP server and the Action call these in process;
what a use case says goes through the `Output` port (`output.py`) its caller gives it, so
nothing here draws on a terminal or writes to stdout."""
