"""A model's system message: the shared prompt prefix with Bedrock's cache points; and a
first user message that later calls of the same conversation read from the cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage


def system_message(shared: str | Sequence[str], specific: str, *, bedrock: bool
                   ) -> SystemMessage:
    """System prompt whose `shared` prefix Bedrock caches across reviewers; a sequence of
    parts gets a cache point after each, so a later request can read the longest part it
    shares (at most four per request, Bedrock's limit).

    The cache point must sit in the message content: `cache_control=` is dropped by
    `with_structured_output(..., include_raw=True)`. Other providers get plain text. An
    empty `specific` adds nothing after the last cache point (the fixer caches its own
    rules too, and its findings follow in the next message).
    """
    parts = [shared] if isinstance(shared, str) else list(shared)
    if not bedrock:
        return SystemMessage("\n\n".join(part for part in (*parts, specific) if part))
    blocks: list[str | dict[str, Any]] = []
    for part in parts:
        blocks += [{"type": "text", "text": part}, {"cachePoint": {"type": "default"}}]
    return SystemMessage([*blocks, *([{"type": "text", "text": specific}] if specific else [])])


def cached_ask(text: str, *, bedrock: bool) -> HumanMessage:
    """The conversation's first user message, with a cache point after it on Bedrock: the
    calls after the first (the reply to a tool result) read it with the prefix before it
    instead of paying for it again. Plain text elsewhere."""
    if not bedrock:
        return HumanMessage(text)
    return HumanMessage([{"type": "text", "text": text}, {"cachePoint": {"type": "default"}}])
