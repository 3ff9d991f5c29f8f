"""The bench's store: a finished review is counted once, a failed one is retried, a damaged
file or a bad name is the user's error with its fix."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.replay import Plan, replay
from reviewloop.bench.review import Reviewer
from reviewloop.bench.score import build
from reviewloop.bench.store import BenchStore, CaseResult, Found
from reviewloop.config import Settings
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


@pytest.mark.parametrize("shape", ["folder", "folder above is a file"])
def test_a_store_path_that_is_no_file_is_named_not_a_crash(tmp_path: Path, shape: str):
    """A `bench.sqlite` that is a folder (SQLite's "unable to open database file", exit 3),
    or a bench folder that is a file: exit 2, naming the path and how to start over."""
    store = BenchStore(tmp_path, "b")
    if shape == "folder":
        store.path.mkdir(parents=True)
    else:
        store.folder.parent.mkdir(parents=True)
        store.folder.write_text("not a folder")
    with pytest.raises(UserInputError) as raised:
        store.results()
    assert raised.value.exit_code == 2 and raised.value.where == str(store.path)
    assert "aside" in (raised.value.fix or "")


@pytest.mark.parametrize("name", ["", "../up", "a/b", ".hidden", "x" * 65])
def test_a_name_that_is_not_a_plain_name_is_refused(tmp_path: Path, name: str):
    with pytest.raises(UserInputError, match="--name"):
        BenchStore(tmp_path, name)


def stored_case(base: str = "b1", head: str = "h1", line: int = 2) -> Case:
    return Case(id="crash-1", source="jsonl", base=base, head=head,
                labels=[Label(path="a.py", line=line)])


# Every way a case kept under the same id can differ from the one its result reviewed.
EDITS = list(itertools.product((False, True), repeat=3))  # (base, head, labels) changed


@pytest.mark.parametrize(("new_base", "new_head", "new_labels"), EDITS)
def test_a_result_is_of_its_change_not_of_its_case_id(tmp_path: Path, new_base: bool,
                                                      new_head: bool, new_labels: bool):
    """Same id, another change (an edited cases file): the old change's review is not the
    new one's; it is dropped and the case reviewed again. Same change, new labels: the
    review stands and is scored against the new labels (as with `--near`)."""
    store, reviewed = BenchStore(tmp_path, "b"), []
    who = Reviewer("m", Settings(), lambda name: None)  # type: ignore[arg-type,return-value]

    def review(case: Case, who: Reviewer) -> CaseResult:
        reviewed.append(case.head)
        found = Found(agent="r", source="llm", severity="must_fix", path="a.py",
                      start_line=2, end_line=2, title=f"seen in {case.head}", status="open")
        return CaseResult(case_id=case.id, model=who.model, status="reviewed", findings=[found])

    first = stored_case()
    replay(store, Plan([first], [who]), review)
    edited = stored_case(base="b2" if new_base else "b1", head="h2" if new_head else "h1",
                         line=40 if new_labels else 2)

    replay(store, Plan([edited], [who]), review)

    changed = new_base or new_head
    assert reviewed == (["h1", edited.head] if changed else ["h1"])
    report = build(name="b", cases=[edited], models=["m"], results=store.results())
    [outcome] = report.case_results[0].results
    assert [f.title for f in outcome.findings] == [f"seen in {edited.head}"]
    assert outcome.hit is not new_labels  # the labels given now score it
    assert store.reviews() == {("crash-1", "m"): 1}


@pytest.mark.parametrize("failures", range(4))
@pytest.mark.parametrize("edited", [False, True])
def test_the_spend_counts_every_review_paid_for_retried_or_replaced(tmp_path: Path,
                                                                    failures: int,
                                                                    edited: bool):
    """A failed review cost what its calls cost; its retry replaces its result but not
    what was paid, nor does a case edited to another change: the budget sees it all."""
    store = BenchStore(tmp_path, "b")
    store.remember([stored_case()])
    for _ in range(failures):
        store.record(result("crash-1", "failed", cost=0.25))
    store.record(result("crash-1", cost=0.5))
    if edited:
        store.remember([stored_case(head="h2")])
        store.record(result("crash-1", cost=0.5))
    assert store.spent() == 0.25 * failures + 0.5 * (1 + edited)
    assert store.reviews() == {("crash-1", "m"): 1}
