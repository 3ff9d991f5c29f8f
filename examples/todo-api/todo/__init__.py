"""An in-memory todo store: the example project that reviewloop's quick start works on."""

from todo.store import Todo, TodoStore

__all__ = ["Todo", "TodoStore"]
