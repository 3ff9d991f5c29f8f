"""Who writes a round's shared prompt prefix to the provider's cache, and when the rest go.

Bedrock makes a cache entry readable once the request that writes it has read its prompt
(the first streamed event); requests that arrive before that all write the prefix again at
1.25x. So the reviewers that share a prefix (same chunk, same model) go through one gate:
the first to arrive claims it and sends its own request streamed, opening the gate at the
first event; the others wait for that event, then read the prefix at 0.1x. No separate
warm-up call is made. The writer opens the gate whatever happens to its request, so a
failure never holds the others (they then write, as without a gate).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


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
