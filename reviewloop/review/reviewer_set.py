"""The reviewers a run or a review uses: the agent definitions (`review.definitions`), at
most `[review] max_reviewers` of them.

Each reviewer costs a share of every round (its analyzers, its model calls, its branch of
the graph), so a folder holding thousands of agent files would stall a review for many
minutes before any verdict. Over the limit, the built-ins are kept first, then the agents
`reviewers` lists (in its order), then the others by name; the rest are not run. They are
named in a warning, listed by `reviewloop agents` as skipped, and said in the report
(`AgentSet.left_out`, an escalation): a review that left reviewers out did not fully run,
so it is never called clean.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from reviewloop.config import Settings, model_for
from reviewloop.review.definitions import (
    AgentDefinition,
    AgentSet,
    Skipped,
    builtin_names,
    load_agents,
)

log = logging.getLogger(__name__)

_NAMED = 10  # reviewers named in the report's line; `reviewloop agents` lists them all


def load_reviewers(root: Path, settings: Settings) -> AgentSet:
    """The effective reviewers for a project rooted at `root`, capped."""
    found = load_agents(root, settings.agents_dirs, settings.reviewers)
    return capped(found, settings.review.max_reviewers, settings.reviewers)


def reviewer_model(settings: Settings, own: str | None) -> str | None:
    """The model a reviewer uses: its agent file's own `model` (`own`) unless `[review]
    agent_models = false` (the bench: only the model under test answers), else the review
    role's (`config.model_for`)."""
    return (own if settings.review.agent_models else None) or model_for(settings, "review")


def capped(found: AgentSet, limit: int, listed: Sequence[str] = ()) -> AgentSet:
    """`found` with at most `limit` reviewers, in their order; the rest left out and said."""
    if len(found.agents) <= limit:
        return found
    builtins = builtin_names()
    ranked = sorted(found.agents, key=lambda agent: _rank(agent, listed, builtins))
    kept = {agent.name for agent in ranked[:limit]}
    dropped = [agent for agent in found.agents if agent.name not in kept]
    reason = f"not run: over [review] max_reviewers = {limit}"
    note = left_out_text([agent.name for agent in dropped], limit)
    log.warning("%s", note)
    return replace(found, agents=tuple(a for a in found.agents if a.name in kept),
                   skipped=(*found.skipped, *(Skipped(a.source, a.name, reason)
                                              for a in dropped)),
                   left_out=note)


def left_out_text(names: Sequence[str], limit: int) -> str:
    shown = ", ".join(names[:_NAMED])
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return (f"{len(names)} reviewer(s) not run, over [review] max_reviewers = {limit}: "
            f"{shown}{more} (`reviewloop agents` lists them; raise max_reviewers or remove "
            "their definitions)")


def _rank(agent: AgentDefinition, listed: Sequence[str],
          builtins: tuple[str, ...]) -> tuple[int, int, str]:
    if agent.name in builtins:
        return 0, builtins.index(agent.name), ""
    if agent.name in listed:
        return 1, list(listed).index(agent.name), ""
    return 2, 0, agent.name
