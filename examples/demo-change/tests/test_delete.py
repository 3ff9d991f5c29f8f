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


def test_delete_many_skips_unknown_ids():
    store = TodoStore()
    a, b = store.add("a"), store.add("b")
    assert store.delete_many([b.id, 99]) == [b]
    assert store.list() == [a]
