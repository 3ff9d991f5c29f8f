"""TextMemo: one computation per large text, bounded, small texts never kept; ByObject: one
per object asked again; an expression compiled at its first use."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest

from reviewloop.memo import ByObject, TextMemo, compiled_on_first_use, shared_cache


def _asked_together(get: Callable[[Callable[[], str]], str]) -> tuple[list[str], int]:
    """Five callers asking `get` at once, the first computing until all others ask: their
    answers and how many computations ran."""
    calls = []
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(timeout=60)  # held until every other caller is asking
        return "done"

    results = []
    first = threading.Thread(target=lambda: results.append(get(slow)))
    first.start()
    assert started.wait(timeout=60)
    others = [threading.Thread(target=lambda: results.append(get(slow))) for _ in range(4)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join()
    return results, len(calls)


def test_callers_asking_together_share_one_computation():
    memo: TextMemo[str] = TextMemo(keep=2, from_chars=10)

    assert _asked_together(lambda slow: memo.get("x" * 20, slow)) == (["done"] * 5, 1)


def test_callers_asking_about_one_object_together_share_one_computation():
    """The secrets analyzer, started early, and the round's redaction go through the same
    files side by side: each file's key is built and scanned once, not once each."""
    memo: ByObject[str] = ByObject(keep=2)
    key = object()

    assert _asked_together(lambda slow: memo.get(key, slow)) == (["done"] * 5, 1)
    assert memo.get(key, lambda: "again") == "done"


def test_different_texts_are_computed_side_by_side():
    """Each computation waits until the other has started: under one global lock the
    first would hold it and the second could never start."""
    memo: TextMemo[str] = TextMemo(keep=4, from_chars=10)
    started = {"a": threading.Event(), "b": threading.Event()}

    def meet(mine: str, other: str):
        def compute() -> str:
            started[mine].set()
            return mine if started[other].wait(timeout=60) else f"{mine} alone"
        return compute

    results: dict[str, str] = {}
    threads = [threading.Thread(target=lambda m=m, o=o: results.__setitem__(
        m, memo.get(m * 20, meet(m, o)))) for m, o in (("a", "b"), ("b", "a"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": "a", "b": "b"}


def test_a_failed_computation_is_tried_again_by_the_next_caller():
    memo: TextMemo[str] = TextMemo(keep=2, from_chars=10)

    def broken() -> str:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        memo.get("y" * 20, broken)
    assert memo.get("y" * 20, lambda: "fine") == "fine"


def test_only_the_last_few_large_texts_are_kept_and_small_ones_never():
    memo: TextMemo[int] = TextMemo(keep=2, from_chars=10)
    calls = []

    def count(n: int):
        return lambda: calls.append(n) or n

    for n in (1, 2, 3):
        memo.get(str(n) * 20, count(n))
    memo.get("3" * 20, count(3))  # kept
    memo.get("1" * 20, count(1))  # dropped when 3 came: computed again
    memo.get("short", count(0))
    memo.get("short", count(0))
    assert calls == [1, 2, 3, 1, 0, 0]


def test_a_character_budget_drops_the_oldest_texts_first():
    memo: TextMemo[int] = TextMemo(keep=100, from_chars=0, budget=50)
    calls = []

    def count(n: int):
        return lambda: calls.append(n) or n

    for n in (1, 2, 3):
        memo.get(str(n) * 20, count(n))  # 60 characters: text 1 goes
    memo.get("3" * 20, count(3))
    memo.get("2" * 20, count(2))
    memo.get("1" * 20, count(1))  # computed again
    assert calls == [1, 2, 3, 1]


def test_a_shared_cache_computes_once_for_callers_asking_together():
    """The analyzers of five reviewers start side by side and all ask for the secrets rules:
    `functools.cache` lets each of them compute them, `shared_cache` one."""
    calls = []
    started, release = threading.Event(), threading.Event()

    @shared_cache
    def rules(kind: str) -> str:
        calls.append(kind)
        started.set()
        release.wait(timeout=60)  # held until every other caller is asking
        return kind.upper()

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(rules("a")))
    first.start()
    assert started.wait(timeout=60)
    others = [threading.Thread(target=lambda: results.append(rules("a"))) for _ in range(4)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join()
    assert results == ["A"] * 5 and calls == ["a"] and rules.misses == 1
    assert rules("b") == "B" and calls == ["a", "b"]
    rules.cache_clear()
    assert rules("a") == "A" and rules.misses == 1


def test_a_shared_cache_remembers_no_failure():
    tries = []

    @shared_cache
    def flaky() -> int:
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("boom")
        return len(tries)

    with pytest.raises(RuntimeError, match="boom"):
        flaky()
    assert flaky() == 2 and flaky() == 2


def test_an_expression_is_compiled_at_its_first_use_then_kept():
    broken = compiled_on_first_use("[")  # nothing compiled yet: nothing to refuse
    with pytest.raises(re.error):
        broken()
    words = compiled_on_first_use(r"w\w+", re.IGNORECASE)
    assert words() is words()
    assert words().findall("Why was WHAT") == ["Why", "was", "WHAT"]
    star = compiled_on_first_use(rb"import[ \t]*\*")  # bytes, as bandit_loads searches
    assert star() is star() and star().search(b"from x import  *") is not None


def test_by_object_answers_the_same_object_again_never_an_equal_one() -> None:
    memo: ByObject[int] = ByObject(keep=2)
    first, equal, other = [1, 2], [1, 2], [3]
    computed: list[object] = []

    def count(key: list[int]) -> int:
        computed.append(key)
        return len(computed)

    assert memo.get(first, lambda: count(first)) == 1
    assert memo.get(first, lambda: count(first)) == 1  # asked again: remembered
    assert memo.get(equal, lambda: count(equal)) == 2  # equal, not the same: computed
    assert memo.get(other, lambda: count(other)) == 3  # the oldest (`first`) is let go
    assert memo.get(first, lambda: count(first)) == 4
    assert computed == [first, equal, other, first]


def test_a_failed_computation_for_an_object_is_tried_again_by_the_next_caller() -> None:
    memo: ByObject[str] = ByObject(keep=2)
    key = object()

    def broken() -> str:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        memo.get(key, broken)
    assert memo.get(key, lambda: "fine") == "fine"
