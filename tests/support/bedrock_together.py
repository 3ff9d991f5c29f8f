"""Round 1's reviewers asked in one call (`[review] combined_review`, the default), answered
from their own scripts: the call naming them takes each one's next scripted reply, and when
every one is a `submit_findings`, answers with their findings, each naming its agent. A test
scripts each reviewer's round 1 once (`fake.script("agent: review-security", …)`, or a
marker of the change every reviewer answers) and it holds whether the reviewers are asked
together or one call each."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import replace
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
    """The merged reply to a round-1 call of several reviewers, each answered by the script
    that would answer it asked alone (`own_queue`), every one's next reply a lone
    `submit_findings` (taken from those scripts, one each); else None, and no script is
    touched. `make(findings, delay, gate)` builds it: held, like a reply of its own, until
    every member's `gate` is set, with the usage they all state added up."""
    names = members(body)
    haystack = json.dumps(body.get("system") or []) + json.dumps(body.get("messages") or [])
    queues = [own_queue(scripts, name, haystack) for name in names]
    if not names or any(q is None for q in queues):
        return None
    firsts, taken = [], Counter[int]()
    for queue in queues:  # members answered by one script take a reply each, in order
        if queue is None or taken[id(queue)] >= len(queue):
            return None
        firsts.append(queue[taken[id(queue)]])
        taken[id(queue)] += 1
    inputs = [_submitted(r) for r in firsts]
    if any(i is None for i in inputs):
        return None
    for queue in queues:
        if queue:
            queue.popleft()
    findings = [{**f, "agent": name} for name, i in zip(names, inputs, strict=True)
                for f in (i or {}).get("findings", [])]
    gates = list({id(r.gate): r.gate for r in firsts if r.gate is not None}.values())
    merged = make(findings, max(r.delay for r in firsts),
                  gates[0] if len(gates) == 1 else _AllOf(gates) if gates else None)
    # the tokens every member's reply states, added up: a test's spend holds either way
    stated = set.intersection(*(set(r.usage) for r in firsts))
    return replace(merged, usage={k: sum(r.usage[k] for r in firsts) for k in stated})


def own_queue(scripts: Mapping[str, deque], name: str, haystack: str) -> deque | None:
    """The script that would answer reviewer `name` asked alone: the first, in the order
    scripted, that is its own (`agent: NAME`) or whose marker is in the request and names
    no reviewer (a line of the change: `fake.script(bug.marker, …)`)."""
    for marker, queue in scripts.items():
        named = marker.startswith(("agent: ", "agents: "))
        if marker == f"agent: {name}" or (not named and (
                marker in haystack or json.dumps(marker)[1:-1] in haystack)):
            return queue
    return None


class _AllOf:
    """A gate open once every one of `gates` is (`Reply.gate` is only waited on)."""

    def __init__(self, gates: list[threading.Event]) -> None:
        self.gates = gates

    def wait(self, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        return all(g.wait(None if end is None else max(end - time.monotonic(), 0.0))
                   for g in self.gates)


def _submitted(reply) -> dict | None:
    """The input of a reply that only calls `submit_findings`, else None."""
    blocks = [b for b in reply.content if "toolUse" in b]
    if len(blocks) != 1 or blocks[0]["toolUse"]["name"] != "submit_findings":
        return None
    return blocks[0]["toolUse"]["input"]


def asks(system: str, name: str) -> bool:
    """Whether a request's system prompt asks reviewer `name`: its own call (`agent: NAME`),
    or round 1's call of several (its persona under `## NAME`)."""
    return f"agent: {name}\n" in system or (
        f"\n## {name}\n" in system and _TOGETHER.search(system) is not None)
