"""Who writes a round's shared prompt prefix to the provider's cache, and when the rest go.

Bedrock makes a cache entry readable once the request that writes it has read its prompt
(the first streamed event); requests that arrive before that all write the prefix again at
1.25x. So the reviewers that share a prefix (same chunk, same model) go through one gate:
the first to arrive claims it and sends its own request streamed, opening the gate at the
first event; the others wait for that event, then read the prefix at 0.1x. No separate
warm-up call is made. The writer opens the gate whatever happens to its request, so a
failure never holds the others (they then write, as without a gate).

A request with more than one cached part that others share in part (the files only some
reviewers of a chunk read, `review.layers`) goes through a gate per part, in prompt order
(`pass_gates`): it writes the parts whose gate it claims and waits for the others. A cached
part must hold the model's minimum of tokens (`cache_min_tokens`, Bedrock's figure per
cache checkpoint); a shorter one is sent uncached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence


class PrefixGate:
    """One shared prefix: the first `claim()` writes it, `wait()` returns once it may be read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed = False
        self._ready = threading.Event()

    def claim(self) -> bool:
        """True for the first caller only: its request writes the prefix."""
        with self._lock:
            first, self._claimed = not self._claimed, True
            return first

    def open(self) -> None:
        self._ready.set()

    def wait(self, timeout_s: float | None) -> bool:
        """Until the writer's prompt is read (or `timeout_s`, the model's own deadline)."""
        return self._ready.wait(timeout_s)


class CacheGates:
    """The gates of one process's runs, by (round material, chunk, model); the last few kept."""

    KEEP = 64

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gates: OrderedDict[Hashable, PrefixGate] = OrderedDict()

    def gate(self, key: Hashable) -> PrefixGate:
        with self._lock:
            found = self._gates.get(key)
            if found is None:
                found = self._gates[key] = PrefixGate()
                while len(self._gates) > self.KEEP:
                    self._gates.popitem(last=False)
            return found


def pass_gates(gates: Sequence[PrefixGate], timeout_s: float | None) -> list[PrefixGate]:
    """Claim or wait for each of a request's gates, in prompt order: the gates it claims
    (its request writes those parts and opens them at its first event, or on failure)."""
    mine = []
    for gate in gates:
        if gate.claim():
            mine.append(gate)
        else:
            gate.wait(timeout_s)  # that part is being written: read it once it is
    return mine


# Bedrock's minimum tokens per cache checkpoint (its prompt-caching guide), by model family;
# checked in order, a model id naming none of them gets the default (Claude Sonnet's, Nova's)
CACHE_MINIMUMS = (("claude-haiku-4-5", 4096), ("claude-opus-4-5", 4096),
                  ("claude-3-5-haiku", 2048), ("claude-3-haiku", 2048))
CACHE_MIN_TOKENS = 1024


def cache_min_tokens(model: str) -> int:
    """The fewest tokens a cached part of a request to `model` may hold."""
    return next((n for family, n in CACHE_MINIMUMS if family in model), CACHE_MIN_TOKENS)
