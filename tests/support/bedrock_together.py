"""Round 1's reviewers asked in one call (`[review] combined_review`, the default), answered
from their own scripts: the call naming them takes each one's next scripted reply, and when
every one is a `submit_findings`, answers with their findings, each naming its agent. A test
scripts each reviewer's round 1 once (`fake.script("agent: review-security", …)`) and it
holds whether the reviewers are asked together or one call each."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any

# What only round 1's call of several reviewers says (a re-review's: "judge the fix")
_TOGETHER = re.compile(r"agents: ([^\n]+)\n\nYou are each of these reviewers: review the change")


def members(body: Mapping[str, Any]) -> list[str]:
    """The reviewers a request asks together in round 1, [] for any other request (its
    system prompt, or its first message for a model with none)."""
    blocks = [*(body.get("system") or []),
              *[b for m in (body.get("messages") or [])[:1] for b in m.get("content") or []]]
    found = _TOGETHER.search("\n".join(b.get("text", "") for b in blocks
                                        if isinstance(b, dict)))
    return found.group(1).split(", ") if found else []


def together_reply(scripts: Mapping[str, deque], body: Mapping[str, Any], make):
    """The merged reply to a round-1 call of several reviewers, each of which has a reply
    scripted under `agent: NAME` and every one a lone `submit_findings` (taken from their
    scripts); else None, and no script is touched. `make(findings, delay)` builds it."""
    names = members(body)
    queues = [scripts.get(f"agent: {name}") for name in names]
    if not names or not all(queues):
        return None
    firsts = [q[0] for q in queues if q]
    inputs = [_submitted(r) for r in firsts]
    if any(i is None for i in inputs):
        return None
    for queue in queues:
        if queue:
            queue.popleft()
    findings = [{**f, "agent": name} for name, i in zip(names, inputs, strict=True)
                for f in (i or {}).get("findings", [])]
    return make(findings, max(r.delay for r in firsts))


def _submitted(reply) -> dict | None:
    """The input of a reply that only calls `submit_findings`, else None."""
    blocks = [b for b in reply.content if "toolUse" in b]
    if reply.gate is not None or len(blocks) != 1 \
            or blocks[0]["toolUse"]["name"] != "submit_findings":
        return None
    return blocks[0]["toolUse"]["input"]


def asks(system: str, name: str) -> bool:
    """Whether a request's system prompt asks reviewer `name`: its own call (`agent: NAME`),
    or round 1's call of several (its persona under `## NAME`)."""
    return f"agent: {name}\n" in system or (
        f"\n## {name}\n" in system and _TOGETHER.search(system) is not None)
