import pytest

from todo import Todo, TodoStore


def test_add_strips_the_title_and_numbers_from_one():
    store = TodoStore()
    first = store.add("  buy milk ")
    second = store.add("walk the dog")
    assert first == Todo(id=1, title="buy milk", done=False)
    assert second.id == 2


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_add_rejects_an_empty_title(title):
    with pytest.raises(ValueError):
        TodoStore().add(title)


def test_list_keeps_insertion_order_and_filters_on_done():
    store = TodoStore()
    a, b, c = store.add("a"), store.add("b"), store.add("c")
    store.complete(b.id)
    assert [t.title for t in store.list()] == ["a", "b", "c"]
    assert store.list(done=False) == [a, c]
    assert [t.id for t in store.list(done=True)] == [b.id]


def test_complete_is_idempotent():
    store = TodoStore()
    item = store.add("a")
    assert store.complete(item.id).done
    assert store.complete(item.id) == Todo(id=item.id, title="a", done=True)


def test_complete_unknown_id_names_the_id():
    with pytest.raises(KeyError, match="no todo with id 7"):
        TodoStore().complete(7)
