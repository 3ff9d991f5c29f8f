"""Which re-reviewers of a round are asked in one call: the combined re-review.

From round 2 on a reviewer judges only a small fix, and what it reads is mostly the cached
part of the prompt (the tool specs, the rules, the steering and the task): four
re-reviewers each reading it cost round 2 more than the fix itself (docs/costs.md, "Round
2"). So the re-reviewers of a chunk that would send the same request but for their name —
the same model, the same tool grants, and every file of the chunk in their scope (so they
read the same diff and evidence, `review.round.reviewer_input`) — are asked together: one
call, the agents' names listed, each finding naming its agent (`review.submit`). Each still
gets its own outcome (`review.model_review.run_reviewers`), so the ledger, triage and every
report see the reviewers as before. Round 1, a reviewer alone in its group, offline
reviews and `[review] combined_rereview = false` keep one call per reviewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import AgentDefinition

# (chunk index, the reviewers asked in one call, in the round's order)
Together = tuple[int, tuple[str, ...]]


def asked_together(round_no: int, agents: Sequence[AgentDefinition], chunks: Sequence[Chunk],
                   assignments: Sequence[tuple[str, int]], models: Mapping[str, str]
                   ) -> tuple[Together, ...]:
    """The groups of two or more re-reviewers of round `round_no` asked in one call; `models`
    is each reviewer's model (a reviewer without one, offline, is never in a group)."""
    if round_no < 2:
        return ()
    by_name = {a.name: a for a in agents}
    found: dict[tuple[int, str, tuple[str, ...]], list[str]] = {}
    for name, index in assignments:
        agent, model = by_name.get(name), models.get(name)
        if agent is None or not model or index >= len(chunks):
            continue
        if not chunks[index].paths or not all(agent.applies_to(p)
                                              for p in chunks[index].paths):
            continue  # it reads a part of the chunk (`review.layers`): a prompt of its own
        found.setdefault((index, model, tuple(sorted(agent.tools))), []).append(name)
    return tuple((index, tuple(names)) for (index, _, _), names in found.items()
                 if len(names) > 1)


def planned_calls(agents: Sequence[AgentDefinition], chunks: Sequence[Chunk],
                  assignments: Sequence[tuple[str, int]], models: Mapping[str, str],
                  together: Sequence[Together] = ()) -> dict[int, list[tuple[str, str]]]:
    """The model calls the round plans, per chunk: (reviewer, model) for each reviewer with
    a model and a file of that chunk in its scope; a group asked together is one call,
    keyed by its names joined with ", "."""
    by_name = {a.name: a for a in agents}
    grouped = {(name, index): names for index, names in together for name in names}
    calls: dict[int, list[tuple[str, str]]] = {}
    for name, index in assignments:
        if name not in models or index >= len(chunks) or not any(
                by_name[name].applies_to(p) for p in chunks[index].paths):
            continue
        names = grouped.get((name, index))
        if names is None:
            calls.setdefault(index, []).append((name, models[name]))
        elif names[0] == name:
            calls.setdefault(index, []).append((", ".join(names), models[name]))
    return calls
