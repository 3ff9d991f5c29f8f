"""One review round around the fan-out: made ready once, then read by every reviewer branch.

`prepare_round` parses and redacts the round's diff once, cuts it to the reviewers' token
budget, runs every reviewer's analyzers once and side by side (while a cache warm-up call
writes the shared prompt to Bedrock's cache), estimates the round's cost and writes it all
to `round-N.material.json`. `reviewer_input` gives one reviewer branch its chunk.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from reviewloop.agent.models import context_window, is_bedrock_model
from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import parse_diff
from reviewloop.graph.context import ChatHandle, LoopDeps
from reviewloop.graph.state import LoopState
from reviewloop.review.chunks import Chunk, ChunkPlan, plan_chunks
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import skipped_reason
from reviewloop.review.material import (
    AgentEvidence,
    RoundMaterial,
    assign,
    estimate,
    gather_evidence,
    load_material,
)
from reviewloop.review.reviewer import ReviewInput, agent_prompt, shared_prompt, warm_cache

# Of a model's context window, the share one call's diff may fill; the rest holds the
# rules, the task, the agent's prompt and evidence, tool results and the reply.
DIFF_SHARE = 0.5


def prepare_round(deps: LoopDeps, state: LoopState) -> dict[str, Any]:
    round_no = state.get("round", 1)
    diff_text = Path(state["diff_path"]).read_text(encoding="utf-8")
    changes = parse_diff(diff_text, source=state["diff_path"])
    names = _review_models(deps)
    # Redacted once, here, for the model; offline nothing is sent, so nothing is redacted.
    plan = plan_chunks(changes, _budget(deps, names), prepare=redact if names else str,
                       leave_out=lambda p: _leave_out(deps, p))
    plan = _unscoped(deps, plan)
    context = _task_context(state)
    addressed = [Finding(**f) for f in state.get("addressed", [])]

    def shared(chunk: Chunk) -> str:
        return shared_prompt(_input(round_no, chunk, context, addressed))

    for chunk in plan.chunks if names else ():  # the shared prefix, redacted here, once
        redact(shared(chunk))  # remembered: each reviewer's loop finds it done

    assignments = assign(deps.agents, plan.chunks)
    calls: dict[int, list[tuple[str, str]]] = {}
    for name, index in assignments:
        if name in names and index < len(plan.chunks) and any(
                deps.agent(name).applies_to(p)
                                   for p in plan.chunks[index].paths):
            calls.setdefault(index, []).append((name, names[name]))
    warm = deps.settings.review.cache_warm
    planned = estimate(plan, calls, shared, lambda name: agent_prompt(deps.agent(name), ()),
                       cached=is_bedrock_model,
                       warm=warm, prices=deps.settings.prices)
    limit = deps.settings.review.max_cost_usd
    stopped = None
    if limit is not None and planned.cost_usd is not None and planned.cost_usd > limit:
        stopped = (f"estimated ${planned.cost_usd:.4f} for round {round_no} is over "
                   f"[review] max_cost_usd ${limit:.4f}")
    usage: list[dict[str, Any]] = []
    # Built once, before the reviewers start, while the analyzers run; then the warm-ups.
    models = partial(_build_and_warm, deps, names, [] if stopped or not warm else [
        (chunk, model) for chunk in plan.chunks
        for model, count in Counter(m for _, m in calls.get(chunk.index, ())).items()
        if count > 1 and is_bedrock_model(model)], round_no, context, addressed, usage)
    evidence = gather_evidence(deps.agents, _analyzer(deps, state), changes, side=[models])
    material = RoundMaterial(round=round_no, chunks=plan.chunks, skipped=plan.skipped,
                             evidence=evidence, assignments=assignments, estimate=planned,
                             stopped=stopped)
    path = material.write(deps.run_dir / f"round-{round_no}.material.json")
    update: dict[str, Any] = {"material_path": path, "usage": usage,
                              "not_reviewed": sorted({*state.get("not_reviewed", []),
                                                      *plan.skipped})}
    if stopped:
        update["reviews"] = [_not_started(a, round_no, stopped, evidence) for a in deps.agents]
        update["escalations"] = [*state.get("escalations", []), f"review stopped: {stopped}"]
    return update


def reviewer_input(deps: LoopDeps, state: LoopState) -> tuple[AgentDefinition, ReviewInput]:
    """What reviewer `review_agent` reads for chunk `review_chunk` of the round."""
    material = load_material(state["material_path"])
    agent = deps.agent(state["review_agent"])
    index = state.get("review_chunk", 0)
    chunk = material.chunks[index] if material.chunks else None
    mine = material.evidence_in(agent.name, chunk)
    first = index == material.first_chunk(agent.name)  # analyzer health is reported once
    review = _input(state["round"], chunk, _task_context(state),
                    [Finding(**f) for f in state.get("addressed", [])])
    return agent, ReviewInput(round=review.round, diff_text=review.diff_text,
                              task_context=review.task_context, addressed=review.addressed,
                              evidence=mine.findings, outside=mine.outside,
                              analyzers=mine.health if first else (),
                              paths=chunk.paths if chunk else ())


def _input(round_no: int, chunk: Chunk | None, context: str,
           addressed: list[Finding]) -> ReviewInput:
    return ReviewInput(round=round_no, diff_text=chunk.diff if chunk else "",
                       task_context=context if round_no == 1 else "", addressed=addressed)


def _task_context(state: LoopState) -> str:
    path = state.get("context_path")
    return Path(path).read_text(encoding="utf-8") if path and state.get("round", 1) == 1 else ""


def _review_models(deps: LoopDeps) -> dict[str, str]:
    """Each reviewer's model name (the models themselves are built alongside the analyzers)."""
    from reviewloop.config import model_for

    if not deps.models.enabled:
        return {}
    names = {a.name: a.model or model_for(deps.settings, "review") for a in deps.agents}
    return {agent: name for agent, name in names.items() if name}


def _budget(deps: LoopDeps, names: dict[str, str]) -> int | None:
    """Diff tokens per reviewer call: one budget for all reviewers (the smallest window), so
    they share a prompt prefix; None offline, where no model has a window."""
    if not names:
        return None
    review = deps.settings.review
    window = min(context_window(name, review.context_windows) for name in names.values())
    return min(review.chunk_tokens or window, int(window * DIFF_SHARE))


def _leave_out(deps: LoopDeps, path: str) -> str | None:
    """The one rule for what content may be read and sent (symlinks, secrets, files outside
    the checkout, over the size limit or binary), as the analyzers apply it."""
    return skipped_reason(deps.workspace.root, path, deps.workspace.sensitive)


def _unscoped(deps: LoopDeps, plan: ChunkPlan) -> ChunkPlan:
    """Files no reviewer's scope covers are listed as such, not silently unreviewed."""
    lonely = [p for c in plan.chunks for p in c.paths
              if not any(a.applies_to(p) for a in deps.agents)]
    if not lonely:
        return plan
    return plan.model_copy(update={"skipped": (*plan.skipped, *(
        f"{p}: no reviewer's scope covers it" for p in lonely))})


def _analyzer(deps: LoopDeps, state: LoopState):
    """The analyzers on the change as it is now, measured against the whole change since the
    run's baseline, as the ledger numbers lines. From round 2 on they look only at the
    files the fix touched; the ledger keeps its verdicts on the others (a re-review judges
    the fix, not the files it left alone)."""
    if deps.analyze is None:
        return None
    from reviewloop.git.repository import Snapshot

    round_no = state.get("round", 1)
    diff_text = Path(state["diff_path"]).read_text(encoding="utf-8")
    if round_no > 1 and state.get("baseline"):
        fix_files = set(parse_diff(diff_text).paths)
        whole = deps.repo.diff_since(Snapshot(**state["baseline"]))
        root = deps.workspace.root
        return lambda agent: deps.analyze(agent, whole, root, only=fix_files)
    root = deps.workspace.root
    return lambda agent: deps.analyze(agent, diff_text, root)


def _build_and_warm(deps: LoopDeps, names: dict[str, str], warm: list[tuple[Chunk, str]],
                    round_no: int, context: str, addressed: list[Finding],
                    usage: list) -> None:
    """Build every reviewer's chat model (once per run), then one warm-up call per chunk and
    Bedrock model that two or more reviewers share, all at once."""
    handles = {model: deps.models.get("review", model) for model in set(names.values())}
    tasks = [(handles[model], _input(round_no, chunk, context, addressed))
             for chunk, model in warm if handles.get(model) and _converse(handles[model])]
    if not tasks:
        return
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        for handle, review in tasks:
            pool.submit(_warm, deps, handle, review, usage)


def _converse(handle: ChatHandle) -> bool:
    """Warming needs the Converse API's prompt cache (not a stand-in chat model)."""
    from langchain_aws import ChatBedrockConverse

    return handle.bedrock and isinstance(handle.model, ChatBedrockConverse)


def _warm(deps: LoopDeps, handle: ChatHandle, review: ReviewInput, usage: list) -> None:
    import logging

    try:
        record = warm_cache(handle.model, review, deps.workspace, model_name=handle.name,
                            timeout_s=handle.timeout_s)
        usage.append(record.model_dump())
    except Exception as exc:  # noqa: BLE001 - a cold cache costs money, never the review
        logging.getLogger(__name__).warning("cache warm-up failed: %s", redact(str(exc)))


def _not_started(agent: AgentDefinition, round_no: int, reason: str,
                 evidence: dict[str, AgentEvidence]) -> dict[str, Any]:
    own = evidence.get(agent.name, AgentEvidence())  # deterministic results still count
    found = [f.model_dump(mode="json") for f in (*own.findings, *own.outside)]
    return {"agent": agent.name, "round": round_no, "status": "failed", "findings": found,
            "analyzers": [h.model_dump(mode="json") for h in own.health],
            "error": f"not started: {reason}", "duration_s": 0.0}
