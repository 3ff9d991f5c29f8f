"""Results remembered for the last few large texts: a round's reviewers, analyzers and gates
parse, scan and redact the same diff, and the work should be done once, not once each."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TextMemo(Generic[T]):
    """`compute()`'s result for `text`, kept for the last `keep` texts of `from_chars` or
    more characters (smaller ones are cheap: computed every time, never kept). Callers
    asking about the same large text at once wait for one computation. Results are
    shared: they must not be mutated."""

    def __init__(self, keep: int, from_chars: int = 16_384):
        self._keep = keep
        self._from = from_chars
        self._done: dict[str, T] = {}
        self._lock = threading.Lock()

    def get(self, text: str, compute: Callable[[], T]) -> T:
        if len(text) < self._from:
            return compute()
        with self._lock:
            if text not in self._done:
                self._done[text] = compute()
                while len(self._done) > self._keep:
                    del self._done[next(iter(self._done))]
            return self._done[text]
