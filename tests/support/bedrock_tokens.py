"""Token counts and prompt caching of the Bedrock fake: what a Converse request costs.

Token estimate (documented, deterministic, offline): ceil(characters / 4) over the parts of
a request the model reads, in the order Bedrock processes them — `toolConfig.tools`, then
`system`, then `messages`:

* a tool spec counts the characters of its compact JSON (`name`, `description`, schema);
* a text block counts its text; a `toolUse` block its name plus its input's compact JSON;
  a `toolResult` block the text / compact JSON of its content; any other block its JSON;
* `cachePoint` blocks count nothing; roles and message framing count nothing.

Prompt caching follows Bedrock's (Anthropic's) rules: every `cachePoint` (at most four per
request) ends a cacheable prefix. The longest prefix already cached *and ready* is read
(`cacheReadInputTokens`); the rest up to the last cache point is written
(`cacheWriteInputTokens`) and becomes readable only once the writing request's prefill is
over, so simultaneous requests all write. A prefix shorter than the model's minimum
(1,024 tokens for Claude Sonnet) is not cached. An entry lives `ttl` seconds (Bedrock's
default is 5 minutes), refreshed by every read. `inputTokens` is the part after the last
cache point (Bedrock's `inputTokens` excludes cache reads and writes).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from dataclasses import dataclass
from typing import Any

MAX_CACHE_POINTS = 4
CACHE_POINT = None  # a segment marker: a cache point sits here


def segments(body: dict[str, Any]) -> list[str | None]:
    """The request as Bedrock reads it: one string per tool, system block and message
    block, in order; `CACHE_POINT` (None) where a cachePoint block sits."""
    out: list[str | None] = []
    for tool in (body.get("toolConfig") or {}).get("tools") or []:
        out.append(CACHE_POINT if _is_cache_point(tool) else _compact(tool.get("toolSpec", tool)))
    for block in body.get("system") or []:
        out.append(CACHE_POINT if _is_cache_point(block) else _block_text(block))
    for message in body.get("messages") or []:
        for block in message.get("content") or []:
            out.append(CACHE_POINT if _is_cache_point(block) else _block_text(block))
    return out


def estimate_tokens(body: Any) -> int:
    """ceil(characters / 4) over what the model reads (see the module docstring)."""
    if not isinstance(body, dict):
        return math.ceil(len(str(body)) / 4)
    return tokens_of(segments(body))


def tokens_of(parts: list[str | None]) -> int:
    return math.ceil(sum(len(p) for p in parts if p is not None) / 4)


def cache_points(parts: list[str | None]) -> list[int]:
    """Indexes of the cache points in `parts`."""
    return [i for i, part in enumerate(parts) if part is CACHE_POINT]


@dataclass(frozen=True)
class CacheUsage:
    """How one request's input tokens split between cache read, cache write and the rest."""

    input_tokens: int
    cache_read: int = 0
    cache_write: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_read + self.cache_write


class PromptCache:
    """The provider-side cache: prefix digest → the time its entry becomes (and stays) readable."""

    def __init__(self, *, min_tokens: int = 1024, ttl: float = 300.0):
        self.min_tokens = min_tokens
        self.ttl = ttl
        self._lock = threading.Lock()
        self._ready_at: dict[str, float] = {}
        self._expires_at: dict[str, float] = {}

    def account(self, model_id: str, parts: list[str | None], now: float,
                prefill: float) -> CacheUsage:
        """Read what is cached and ready at `now`; write the rest up to the last cache point,
        readable from `now + prefill`."""
        total = tokens_of(parts)
        points = [p for p in cache_points(parts) if tokens_of(parts[:p]) >= self.min_tokens]
        if not points:
            return CacheUsage(input_tokens=total)
        keys = [(p, self._key(model_id, parts[:p])) for p in points]
        with self._lock:
            read_upto = 0
            for point, key in reversed(keys):
                if self._ready(key, now):
                    read_upto = point
                    self._expires_at[key] = now + self.ttl
                    break
            for point, key in keys:
                if point > read_upto and not self._ready(key, now):
                    ready = now + prefill
                    if self._expires_at.get(key, 0.0) > now:  # a write already in flight
                        ready = min(ready, self._ready_at[key])
                    self._ready_at[key] = ready
                    self._expires_at[key] = ready + self.ttl
        read = tokens_of(parts[:read_upto]) if read_upto else 0
        prefix = tokens_of(parts[:points[-1]])
        return CacheUsage(input_tokens=total - prefix, cache_read=read,
                          cache_write=prefix - read)

    def _ready(self, key: str, now: float) -> bool:
        return self._ready_at.get(key, math.inf) <= now < self._expires_at.get(key, 0.0)

    @staticmethod
    def _key(model_id: str, parts: list[str | None]) -> str:
        digest = hashlib.sha256(model_id.encode())
        for part in parts:
            digest.update(b"\x00" if part is None else b"\x01" + part.encode("utf-8", "replace"))
        return digest.hexdigest()


def _is_cache_point(block: Any) -> bool:
    return isinstance(block, dict) and "cachePoint" in block


def _block_text(block: Any) -> str:
    if not isinstance(block, dict):
        return str(block)
    if isinstance(block.get("text"), str):
        return block["text"]
    if "toolUse" in block:
        use = block["toolUse"]
        return str(use.get("name", "")) + _compact(use.get("input", {}))
    if "toolResult" in block:
        return "".join(_block_text(part) if "text" in part else _compact(part.get("json", part))
                       for part in block["toolResult"].get("content") or [])
    return _compact(block)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
