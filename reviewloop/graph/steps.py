"""A review round's steps — prepare, one reviewer on one chunk, triage — as functions of the
state and the round's context that return the step's partial update: the one executor of the
round. The graph's nodes are adapters over these (`nodes`), and an offline review runs the same
functions in order without LangGraph (`runs.offline`, through `run_round`).

Nothing here imports LangGraph, nor LangChain's model and tool classes unless a chat model
is about to review (an offline review must not pay for loading them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Annotated, get_args, get_origin, get_type_hints

from reviewloop.agent.models import is_bedrock_model
from reviewloop.agent.spend import over_budget
from reviewloop.checks.suppressions.config_files import lever
from reviewloop.checks.suppressions.scope import Suppressions, run_trust, suppressions_for
from reviewloop.config import model_for
from reviewloop.findings.rounds import outcome_health
from reviewloop.findings.triage import TriageAsk, triage_round
from reviewloop.git.changes import removed_lines, written_lines
from reviewloop.git.diff import changed_lines, read_diff
from reviewloop.git.repository import Snapshot
from reviewloop.graph.state import LoopState, ReviewTask, round_reviews
from reviewloop.policy.commands import CommandPolicy
from reviewloop.policy.trust import Trust
from reviewloop.review.cache_gate import CacheGates
from reviewloop.review.material import load_material
from reviewloop.review.reviewer import offline_outcome
from reviewloop.review.reviewer_set import reviewer_model
from reviewloop.review.round import RoundAsk, RoundSetup, prepare_round, reviewer_input

Update = dict[str, object]


def _as_is(path: str) -> str:
    return path


@dataclass(frozen=True)
class RoundDeps:
    """What one round's steps need besides state: the round's setup, the trust its
    suppressions are judged by (once per round), and what a model reviewer shares with the
    others and the fixer."""

    setup: RoundSetup
    trust: Trust | None = None  # a pull request's: nothing in base..head suppresses
    carried_tree: str | None = None  # a resumed run's work, carried from another clone
    task_run: bool = False  # a run with a spec (its lever files are the approval's question)
    here: Callable[[str], str] = _as_is  # a run-folder file where it is now (`LoopDeps.here`)
    cache_gates: CacheGates = field(default_factory=CacheGates)
    policy: CommandPolicy | None = None  # the fixer's, for the tools a reviewer declares
    # the round's suppressions by baseline, with the trust they were judged by: shared by
    # the round's steps and the run's later records (`LoopDeps.judged`)
    judged: dict[str, tuple[Trust | None, Suppressions]] = field(
        default_factory=dict, compare=False, repr=False)


def prepare(state: LoopState, deps: RoundDeps) -> Update:
    """The round's diff, chunks, analyzer evidence and estimate, made once for all reviewers;
    who reviews which chunk goes into state for the fan-out."""
    ready = prepare_round(deps.setup, RoundAsk(
        round=state.round, diff_path=deps.here(state.diff_path),
        context_path=deps.here(state.context_path) or None, addressed=state.addressed,
        baseline=state.baseline))
    update: Update = {"material_path": ready.material_path, "usage": ready.usage,
                      "assignments": list(ready.assignments), "review_stopped": ready.stopped,
                      "together": [(index, list(names)) for index, names in ready.together],
                      "not_reviewed": sorted({*state.not_reviewed, *ready.skipped})}
    update["reviews"] = [*ready.turned_off, *ready.not_started]
    if ready.stopped:
        update["escalations"] = [*state.escalations, f"review stopped: {ready.stopped}"]
    return update


def review_tasks(state: LoopState) -> list[ReviewTask]:
    """One task per (reviewer, chunk) of the prepared round, or per group of re-reviewers
    asked in one call (`together`, its first reviewer's place); none when it was stopped."""
    if state.review_stopped:
        return []
    addressed = state.addressed if state.round > 1 else []
    groups = {(names[0], chunk): list(names[1:]) for chunk, names in state.together}
    joined = {(name, chunk) for chunk, names in state.together for name in names[1:]}
    return [ReviewTask(review_agent=agent, review_chunk=chunk, round=state.round,
                       material_path=state.material_path, context_path=state.context_path,
                       addressed=addressed, baseline=state.baseline, fixing=state.limits.fix,
                       together=groups.get((agent, chunk), []))
            for agent, chunk in state.assignments if (agent, chunk) not in joined]


def review(task: ReviewTask, deps: RoundDeps) -> Update:
    """One reviewer on one chunk (or the re-reviewers asked with it, `task.together`): each
    one's outcome joins `reviews`. With no chat model the analyzers' findings are its whole
    review (`offline_outcome`)."""
    setup = deps.setup
    material_path = deps.here(task.material_path)
    ask = RoundAsk(round=task.round, diff_path="",
                   context_path=deps.here(task.context_path) or None,
                   addressed=task.addressed, baseline=task.baseline)
    members = [reviewer_input(setup, material_path, name, task.review_chunk, ask)
               for name in (task.review_agent, *task.together)]
    agent, review_input = members[0]
    chat = setup.models.get("review", reviewer_model(setup.settings, agent.model))
    if chat is None:
        return {"reviews": [offline_outcome(a, r, time.monotonic()) for a, r in members]}
    from reviewloop.agent.tools import editor_tools  # LangChain: only when a model reviews
    from reviewloop.review.model_review import run_reviewers

    # one prefix per chunk, model and the diff in it (a small scope has a prefix of its own),
    # then the files some of the chunk's reviewers read after it, when cached (`layers`)
    key = (material_path, task.review_chunk, chat.name, hash(review_input.diff_text))
    parts = [key, (*key, hash(review_input.after))] if review_input.after_cached else [key]
    gates = [deps.cache_gates.gate(k) for k in parts] \
        if chat.bedrock and setup.settings.review.cache_warm else []
    # a fixer may follow and would read this prefix: declare its tools too (`round_tools`)
    declared = editor_tools(setup.workspace, deps.policy) \
        if task.fixing and deps.policy is not None and fixer_reads(setup, chat.name) else None
    outcomes = run_reviewers(chat.model, members, setup.workspace, model_name=chat.name,
                             bedrock=chat.bedrock, timeout_s=chat.timeout_s, gates=gates,
                             declared=declared)
    return {"reviews": [o.model_copy(update={"usage": []}) for o in outcomes],
            "usage": [u for o in outcomes for u in o.usage]}


def triage(state: LoopState, deps: RoundDeps) -> Update:
    """Record the round in the ledger; what is still open and actionable goes to the fixer."""
    setup = deps.setup
    outcomes = round_reviews(state, state.round)
    diff_path, material_path = deps.here(state.diff_path), deps.here(state.material_path)
    found = round_suppressions(deps, state.baseline, state.round)
    reported = [*(f for o in outcomes for f in o.findings),
                *(load_material(material_path).recorded if material_path else ())]
    found.suppress.expect(reported)  # the project's ESLint config: one run for them all
    ledger = triage_round(state.ledger, TriageAsk(
        round=state.round, reported=reported,
        health=outcome_health([o.model_dump(mode="json", exclude={"findings"})  # health only
                               for o in outcomes]),
        scope=written_lines(setup.repo, diff_path, state.round, state.baseline),
        removals=removed_lines(setup.repo, diff_path, state.round, state.baseline),
        floors={a.name: a.severity_floor for a in setup.agents if a.severity_floor},
        # in a task run a lever file the run changed is a human's question at approval
        # (policy.levers), never the fixer's; a review has no approval, so it flags both
        added=[f for f in found.added if not deps.task_run or lever(f.file) is None],
        fix_files=changed_lines(read_diff(diff_path)).keys(), addressed=state.addressed,
        suppress=found.suppress))
    failed = [f"reviewer {r.agent} failed in round {state.round}: {r.error}"
              for r in outcomes if r.status == "failed"]
    return {"escalations": [*state.escalations, *failed], "ledger": ledger,
            "actionable": ledger.actionable,
            "over_budget": over_budget(state.usage, state.limits.budget_usd,
                                       setup.settings.prices)}


def round_suppressions(deps: RoundDeps, baseline: Snapshot,
                       round_no: int | None = None) -> Suppressions:
    """The suppressions of the reviewed tree: none from the change the caller named (a pull
    request), or from what the run wrote since it started. Judged once for round `round_no`:
    its triage and whoever records more findings after it (the gates) read the same; with
    no round named (the tree may have changed since: a fix after the last triage), judged
    anew."""
    if round_no is None:
        return _judged(deps, baseline)
    key = f"{round_no}\0{baseline.model_dump_json()}\0{deps.carried_tree}\0" \
          f"{deps.setup.workspace.root}"
    judged = deps.judged.get(key)
    if judged is None or judged[0] is not deps.trust:  # a copy of the deps with another trust
        judged = deps.judged[key] = (deps.trust, _judged(deps, baseline))
    return judged[1]


def _judged(deps: RoundDeps, baseline: Snapshot) -> Suppressions:
    trust = deps.trust or run_trust(deps.setup.repo, baseline, deps.carried_tree)
    return suppressions_for(deps.setup.repo, deps.setup.workspace.root, trust,
                            deps.setup.settings.sandbox)


def fixer_reads(setup: RoundSetup, reviewer_model: str) -> bool:
    """Whether the fixer reads the prefix cached by reviewers on `reviewer_model`: a cache
    is per model, and only Bedrock's cache points make the prefix cheaper than a fixer
    prompt without it (elsewhere it is plain text paid in full by every fixer call)."""
    return (is_bedrock_model(reviewer_model)
            and reviewer_model == model_for(setup.settings, "fix"))


# How a step is run: its node's name, its inputs (as the graph's stream names them), and the
# step itself; the runner returns the step's update (and may tell someone about it).
StepRunner = Callable[[str, dict[str, object], Callable[[], Update]], Update]


def _just_run(node: str, inputs: dict[str, object], step: Callable[[], Update]) -> Update:
    return step()


def run_round(state: LoopState, deps: RoundDeps, each: StepRunner = _just_run) -> LoopState:
    """One round run in order in this process, as the graph runs it: prepare, each review
    task (the branches `routing.route_after_prepare` sends), triage."""
    state = apply(state, each("prepare", {"round": state.round}, partial(prepare, state, deps)))
    for task in review_tasks(state):
        state = apply(state, each(
            "review", {"review_agent": task.review_agent, "review_chunk": task.review_chunk,
                       "round": task.round}, partial(review, task, deps)))
    return apply(state, each("triage", {"round": state.round}, partial(triage, state, deps)))


def apply(state: LoopState, update: Update) -> LoopState:
    """`state` with a step's update applied as LangGraph applies it: a field annotated with
    a reducer (`reviews`, `usage`) is reduced, any other replaced."""
    values = {f.name: getattr(state, f.name) for f in fields(state)}
    for key, value in update.items():
        reducer = _REDUCERS.get(key)
        values[key] = reducer(values[key], value) if reducer else value
    return LoopState(**values)


def _reducers() -> dict[str, Callable[[object, object], object]]:
    hints = get_type_hints(LoopState, include_extras=True)
    return {name: get_args(hint)[1] for name, hint in hints.items()
            if get_origin(hint) is Annotated}


_REDUCERS = _reducers()

