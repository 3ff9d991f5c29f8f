import pytest

from todo import TodoStore


def test_delete_removes_the_todo_and_returns_it():
    store = TodoStore()
    item = store.add("buy milk")
    assert store.delete(item.id) == item
    assert store.list() == []


def test_delete_of_an_unknown_id_is_a_key_error():
    with pytest.raises(KeyError):
        TodoStore().delete(7)


def test_delete_titled_removes_every_match_and_keeps_the_rest():
    store = TodoStore()
    a, b, c = store.add("milk"), store.add("bread"), store.add("milk")
    assert store.delete_titled("milk") == [a, c]
    assert store.list() == [b]


def test_delete_titled_needs_a_title():
    with pytest.raises(ValueError):
        TodoStore().delete_titled("")
