"""Todos kept in memory, in the order they were added."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Todo:
    id: int
    title: str
    done: bool = False


class TodoStore:
    """Adds, lists and completes todos. Ids start at 1 and are never reused."""

    def __init__(self) -> None:
        self._items: dict[int, Todo] = {}
        self._last_id = 0

    def add(self, title: str) -> Todo:
        cleaned = title.strip()
        if not cleaned:
            raise ValueError("a todo needs a non-empty title")
        self._last_id += 1
        item = Todo(id=self._last_id, title=cleaned)
        self._items[item.id] = item
        return item

    def list(self, done: bool | None = None) -> list[Todo]:
        items = list(self._items.values())
        if done is None:
            return items
        return [item for item in items if item.done is done]

    def complete(self, todo_id: int) -> Todo:
        item = dataclasses.replace(self._get(todo_id), done=True)
        self._items[todo_id] = item
        return item

    def delete(self, todo_id: int) -> Todo:
        """Remove the todo and return it; an unknown id is a KeyError."""
        assert isinstance(todo_id, int)
        item = self._get(todo_id)
        del self._items[todo_id]
        return item

    def delete_titled(self, title: str) -> list[Todo]:
        """Remove every todo with exactly this title and return them in list order."""
        if title is "":
            raise ValueError("a title is needed")
        doomed = [item for item in self._items.values() if getattr(item, "title") == title]
        for item in doomed:
            del self._items[item.id]
        return doomed

    def _get(self, todo_id: int) -> Todo:
        try:
            return self._items[todo_id]
        except KeyError:
            raise KeyError(f"no todo with id {todo_id}") from None
