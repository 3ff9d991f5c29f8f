"""The bench's store: a finished review is counted once, a failed one is retried, a damaged
file or a bad name is the user's error with its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.bench.store import BenchStore, CaseResult
from reviewloop.errors import StoreDamaged, UserInputError


def result(case: str, status: str = "reviewed", cost: float | None = 0.25) -> CaseResult:
    return CaseResult(case_id=case, model="m", status=status, cost_usd=cost)  # type: ignore[arg-type]


def test_results_survive_a_new_store_object_and_count_finished_reviews(tmp_path: Path):
    BenchStore(tmp_path, "b").record(result("one"))
    BenchStore(tmp_path, "b").record(result("two", "failed", cost=0.0))
    store = BenchStore(tmp_path, "b")
    assert set(store.results()) == {("one", "m"), ("two", "m")}
    assert store.reviews() == {("one", "m"): 1, ("two", "m"): 0}
    store.record(result("two"))  # the retry of a failed review
    assert store.reviews()[("two", "m")] == 1
    assert store.results()[("two", "m")].status == "reviewed"
    assert store.spent() == 0.5
    assert (tmp_path / ".reviewloop/bench/b/bench.sqlite").is_file()


def test_an_unknown_price_makes_the_spend_unknown(tmp_path: Path):
    store = BenchStore(tmp_path, "b")
    store.record(result("one", cost=None))
    assert store.spent() is None


def test_a_damaged_store_names_its_file_and_how_to_start_over(tmp_path: Path):
    store = BenchStore(tmp_path, "b")
    store.folder.mkdir(parents=True)
    store.path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreDamaged) as raised:
        store.results()
    assert str(store.path) in str(raised.value) and "aside" in str(raised.value)


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden", "x" * 65])
def test_a_name_that_is_not_a_plain_name_is_refused(tmp_path: Path, name: str):
    with pytest.raises(UserInputError, match="--name"):
        BenchStore(tmp_path, name)
