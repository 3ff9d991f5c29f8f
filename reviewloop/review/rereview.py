"""Which reviewers of a round are asked in one call: the combined re-review, and (with
`[review] combined_review = true`) the combined review of round 1.

From round 2 on a reviewer judges only a small fix, and what it reads is mostly the cached
part of the prompt (the tool specs, the rules, the steering and the task): four
re-reviewers each reading it cost round 2 more than the fix itself (docs/costs.md, "Round
2"). So the re-reviewers of a chunk that would send the same request but for their name —
the same model, the same tool grants, and every file of the chunk in their scope (so they
read the same diff and evidence, `review.round.reviewer_input`) — are asked together: one
call, the agents' names listed, each finding naming its agent (`review.submit`). Each still
gets its own outcome (`review.model_review.run_reviewers`), so the ledger, triage and every
report see the reviewers as before. Round 1 groups its reviewers the same way when
`combined_review` is on; its call carries each member's own instructions (`agents_prompt`).
A reviewer alone in its group, offline reviews, and a round whose setting is off keep one
call per reviewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewloop.config import Review
from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.reviewer import agent_prompt, agents_prompt

# (chunk index, the reviewers asked in one call, in the round's order)
Together = tuple[int, tuple[str, ...]]


def combined(settings: Review, round_no: int) -> bool:
    """Whether round `round_no` asks its reviewers in groups: round 1 by `combined_review`,
    a re-review by `combined_rereview`."""
    return settings.combined_review if round_no == 1 else settings.combined_rereview


def asked_together(agents: Sequence[AgentDefinition], chunks: Sequence[Chunk],
                   assignments: Sequence[tuple[str, int]], models: Mapping[str, str]
                   ) -> tuple[Together, ...]:
    """The groups of two or more reviewers of a round asked in one call (the round's setting
    said yes, `combined`); `models` is each reviewer's model (a reviewer without one,
    offline, is never in a group)."""
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


def own_prompt(agents: Sequence[AgentDefinition], key: str, together: Sequence[Together],
               round_no: int) -> str:
    """What a planned call sends after the prefix: a reviewer's own part, or that of the
    reviewers asked together (the call's key is their names, `planned_calls`)."""
    by_name = {a.name: a for a in agents}
    names = next((names for _, names in together if ", ".join(names) == key), None)
    if names:
        return agents_prompt([by_name[n] for n in names], round_no)
    return agent_prompt(by_name[key], round_no)
