"""Results remembered for the last few large texts: a round's reviewers, analyzers and gates
parse, scan and redact the same diff, and the work should be done once, not once each;
`ByObject`, for a frozen input asked about again; `shared_cache`, for what the analyzers of
five reviewers load side by side at the start; `no_cycle_collection`, for the steps that
build one object per line or finding of a large input. And `compiled_on_first_use`, for a
regular expression most runs never ask."""

from __future__ import annotations

import functools
import gc
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import AnyStr, Generic, TypeVar

T = TypeVar("T")


K = TypeVar("K", bound=Hashable)
_NONE = (object(),)  # no entry: its object is no key


class _Once(ABC, Generic[K, T]):
    """What both memos share: a result kept under a key, and callers asking about the same
    key at once waiting for one computation. The lock guards only the bookkeeping, never a
    computation: different keys are computed side by side. A computation that raises is
    not kept, and the next caller tries again."""

    def __init__(self) -> None:
        self._done: dict[K, T] = {}
        self._pending: dict[K, threading.Event] = {}
        self._lock = threading.Lock()

    def _once(self, key: K, found: Callable[[], bool], compute: Callable[[], T]) -> T:
        """`self._done[key]` when `found()` (asked under the lock), else `compute()` kept
        there by `_keep_one`, computed by the first caller only."""
        while True:
            with self._lock:
                if found():
                    return self._done[key]
                pending = self._pending.get(key)
                mine = pending is None
                if pending is None:
                    pending = self._pending[key] = threading.Event()
            if not mine:
                pending.wait()  # then look again: done, or its computation failed (we try)
                continue
            try:
                value = compute()
                with self._lock:
                    self._keep_one(key, value)
                return value
            finally:
                with self._lock:
                    del self._pending[key]
                pending.set()

    @abstractmethod
    def _keep_one(self, key: K, value: T) -> None:
        """Keep `value` for `key` (called under the lock), letting the oldest go."""


class TextMemo(_Once[str, T]):
    """`compute()`'s result for `text`, kept for the last `keep` texts of `from_chars` or
    more characters (smaller ones are cheap: computed every time, never kept). Callers
    asking about the same large text at once wait for one computation. Results are
    shared: they must not be mutated. Different texts are computed side by side."""

    def __init__(self, keep: int, from_chars: int = 16_384, budget: int | None = None):
        super().__init__()
        self._keep = keep
        self._from = from_chars
        self._budget = budget  # most characters of text kept, over all entries
        self._chars = 0
        self.computed = 0  # how many large texts' results were computed, not remembered

    def get(self, text: str, compute: Callable[[], T]) -> T:
        if len(text) < self._from:
            return compute()
        return self._once(text, lambda: text in self._done, compute)

    def known(self, text: str) -> T | None:
        """The kept result for `text`, or None; never computes (a dict read: no lock)."""
        return self._done.get(text)

    def _keep_one(self, text: str, value: T) -> None:
        self.computed += 1
        if text not in self._done:
            self._chars += len(text)
        self._done[text] = value
        while self._done and (len(self._done) > self._keep or (
                self._budget is not None and self._chars > self._budget)):
            self._chars -= len(next(iter(self._done)))
            del self._done[next(iter(self._done))]


class ByObject(_Once[int, tuple[object, T]], Generic[T]):
    """`compute()`'s result for an object asked about again, by identity (the same object,
    not an equal one), for the last `keep` objects: for a frozen input whose content key
    costs more to build than a second ask should (a file's added lines joined, for the
    secrets scan's `TextMemo`, asked by the analyzer, the gate and the prompt's redaction).
    An entry holds its object, so its `id` is never another's meanwhile (nor while it is
    computed: its callers hold it). Callers asking about the same object at once wait for
    one computation (the secrets analyzer, started early, and the round's redaction go
    through a change's files side by side)."""

    def __init__(self, keep: int):
        super().__init__()
        self._keep = keep

    def get(self, key: object, compute: Callable[[], T]) -> T:
        found = self._done.get(id(key))  # a dict read: no lock
        if found is not None and found[0] is key:
            return found[1]
        return self._once(id(key), lambda: self._done.get(id(key), _NONE)[0] is key,
                          lambda: (key, compute()))[1]

    def _keep_one(self, key: int, value: tuple[object, T]) -> None:
        self._done[key] = value
        while len(self._done) > self._keep:
            del self._done[next(iter(self._done))]


class SharedCache(Generic[T]):
    """`function`'s result per arguments, computed once in the process even when several
    threads ask for it at once (`functools.cache` lets each of them compute it: the five
    reviewers' analyzers starting side by side compiled gitleaks' 217 rules five times
    over, a sixth of an offline review's CPU). Callers of other functions are not held up:
    each function has its own lock. A computation that raises is not remembered."""

    def __init__(self, function: Callable[..., T]):
        self._function = function
        self._done: dict[tuple[Hashable, ...], T] = {}
        self._lock = threading.RLock()  # a computation may ask for another of its arguments
        self.misses = 0  # computations started
        functools.update_wrapper(self, function)

    def __call__(self, *args: Hashable) -> T:
        try:
            return self._done[args]
        except KeyError:
            pass
        with self._lock:
            if args not in self._done:
                self.misses += 1
                self._done[args] = self._function(*args)
            return self._done[args]

    def cache_clear(self) -> None:
        with self._lock:
            self._done.clear()
            self.misses = 0


def shared_cache(function: Callable[..., T]) -> SharedCache[T]:
    """`functools.cache` for positional arguments, safe to ask from many threads at once:
    see `SharedCache`."""
    return SharedCache(function)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a step builds many objects and frees no cycle:
    each collection walks every object alive, so over a growing heap its passes make the
    step grow faster than its input (a 10,000-file diff parsed in 0.77 s instead of 0.52;
    100k findings recorded a third slower). Reference counting still frees everything; the
    collector runs again after (unless it was off already)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@contextmanager
def alive_throughout() -> Iterator[None]:
    """Every object alive when the block starts is left out of the cycle collector's walks
    until it ends (`gc.freeze`), and the young generation's count starts again at zero:
    what a review starts with (its modules, its parsed change) lives until it ends, and a
    young collection walking it once more found almost nothing (5,000 changed files: one
    pass over ~200,000 objects, ~50 ms). After the block they are the collector's again
    (`gc.unfreeze`), so a process running many reviews (a batch, a test session) still
    frees the cycles among them."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def compiled_on_first_use(pattern: AnyStr, flags: int = 0
                          ) -> Callable[[], re.Pattern[AnyStr]]:
    """`pattern` compiled when the function returned is first called, then kept: for an
    expression only some files or features ask (a workflow's `uses:`, a Dockerfile's
    instructions), which a module compiling it at import made every command pay (~0.1-1 ms
    each, 31 of them in an offline review)."""
    return functools.cache(functools.partial(re.compile, pattern, flags))
