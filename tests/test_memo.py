"""TextMemo: one computation per large text, bounded, small texts never kept."""

from __future__ import annotations

import threading
import time

from reviewloop.memo import TextMemo


def test_callers_asking_together_share_one_computation():
    memo: TextMemo[str] = TextMemo(keep=2, from_chars=10)
    calls = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "done"

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("x" * 20, slow)))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["done"] * 5 and len(calls) == 1


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
