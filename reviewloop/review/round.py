"""One review round around the fan-out: made ready once, then read by every reviewer branch.

`prepare_round` parses and redacts the round's diff once, cuts it to the reviewers' token
budget, runs every reviewer's analyzers once and side by side (while the reviewers' chat
models are built), estimates the round's cost and writes it all to `round-N.material.json`.
`reviewer_input` gives one reviewer branch its chunk, with every reviewer's evidence on it:
the shared prefix is the same for all of them, and no separate warm-up call writes it (the
first reviewer's own request does, `reviewloop.review.cache_gate`). When the reviewers'
scopes (`include`/`exclude`) differ, the prefix holds the files the reviewers that cover
most of the chunk all cover, and each is sent its other files after it; a reviewer whose
scope holds little of the chunk is given its own files' diff and evidence alone
(`review.layers`): scope decides what it reads, not only whether it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from reviewloop.agent.models import (
    ChatModels,
    UsageRecord,
    context_window,
    estimate_tokens,
    is_bedrock_model,
)
from reviewloop.agent.workspace import Workspace
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.secrets.analyzer import hold_reported
from reviewloop.checks.secrets.diff_redaction import redact_file_diff
from reviewloop.checks.secrets.scanner import redact_around, redact_finding
from reviewloop.config import Settings
from reviewloop.findings.rounds import rechecked_files
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, FileDiff, parse_diff, read_diff
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.review.cache_gate import cache_min_tokens
from reviewloop.review.chunks import Chunk, plan_chunks
from reviewloop.review.classify import Classification, TrustedSide, classify
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import AnalyzerReport, located
from reviewloop.review.layers import Layers, layers, part
from reviewloop.review.material import (
    AgentEvidence,
    RoundMaterial,
    assign,
    estimate,
    gather_evidence,
    load_material,
    not_started_outcome,
    over_cost_limit,
    unread_evidence,
    unscoped,
    unsent,
)
from reviewloop.review.prompt_diff import shown_fenced
from reviewloop.review.readable import Readability
from reviewloop.review.rereview import (
    Together,
    asked_together,
    combined,
    own_prompt,
    planned_calls,
)
from reviewloop.review.reviewer import (
    ReviewerOutcome,
    ReviewInput,
    after_prompt,
    cached_rules,
    round_prompt,
    shared_prompt,
    turned_off_outcome,
)
from reviewloop.review.reviewer_set import reviewer_model
from reviewloop.spec.steering_set import SteeringSet

# The analyzer layer: (agent, diff_text, root, only=files) -> findings and health.
Analyze = Callable[..., AnalyzerReport]


@dataclass(frozen=True)
class RoundSetup:
    """What a round works with besides the change: reviewers, models, settings, files."""

    agents: Sequence[AgentDefinition]
    models: ChatModels
    settings: Settings
    workspace: Workspace
    repo: Repository
    run_dir: Path
    analyze: Analyze | None = None
    trusted: TrustedSide = field(default_factory=TrustedSide)  # whose classification counts
    steering: SteeringSet = field(default_factory=SteeringSet)  # read when the run started
    turned_off: Sequence[AgentDefinition] = ()  # reviewers an override disabled: said
    change_from: tuple[str, tuple[str, ...]] | None = None  # `_whole_change`'s start

    def agent(self, name: str) -> AgentDefinition:
        return next(a for a in self.agents if a.name == name)


@dataclass(frozen=True)
class RoundAsk:
    """The change a round reviews: its diff, the task, the findings a fix addressed (later
    rounds), and the run's baseline the whole change is measured from."""

    round: int
    diff_path: str
    context_path: str | None
    addressed: Sequence[Finding]
    baseline: Snapshot


@dataclass
class PreparedRound:
    """The round made ready: the material file, who reviews which chunk, and, when the
    estimate was over `[review] max_cost_usd`, why nobody does (`stopped`)."""

    material_path: str
    skipped: tuple[str, ...]
    assignments: tuple[tuple[str, int], ...]
    stopped: str | None = None
    not_started: list[ReviewerOutcome] = field(default_factory=list)
    usage: list[UsageRecord] = field(default_factory=list)
    turned_off: list[ReviewerOutcome] = field(default_factory=list)
    together: tuple[Together, ...] = ()  # reviewers asked in one call (`review.rereview`)


# Of a model's context window, the share one call's diff may fill; the rest holds the
# rules, the task, the agent's prompt and evidence, tool results and the reply.
DIFF_SHARE = 0.5


def prepare_round(setup: RoundSetup, ask: RoundAsk) -> PreparedRound:
    changes = parse_diff(read_diff(ask.diff_path), source=ask.diff_path)
    names = _review_models(setup)
    classified = _classified(setup, ask, changes)
    # Redacted once, here, for the model; offline nothing is sent, so nothing is redacted.
    readable = Readability.of(setup.workspace.root)
    if names:  # the values only the secrets analyzer finds, redacted too (`known_values`)
        hold_reported(AnalyzerContext(
            root=setup.workspace.root, changes=changes, diff_text="", agent="review-security",
            files=changes.paths,
            trust=setup.trusted.for_analyzers(ask.baseline.tree, lambda: changes,
                                              setup.repo.root)), new_review=ask.round == 1)
    # each file's added lines are scanned once: the secrets analyzer and gate ask the same
    plan = plan_chunks(changes, _budget(setup, names),
                       prepare=redact_file_diff if names else _as_is,
                       leave_out=lambda p: _leave_out(setup, readable, p)
                       or classified.skipped.get(p))
    plan = unscoped(setup.agents, plan)
    context = _task_context(ask)
    shared = partial(_shared, ask.round, context, ask.addressed, setup.steering)
    unreviewed = unsent(setup.agents, plan)
    assignments = tuple(p for p in assign(setup.agents, plan.chunks) if p[0] not in unreviewed)
    together = asked_together(setup.agents, plan.chunks, assignments, names) \
        if combined(setup.settings.review, ask.round) else ()
    calls = planned_calls(setup.agents, plan.chunks, assignments, names, together)
    warm = setup.settings.review.cache_warm
    planned = estimate(plan, calls, shared,
                       lambda key: own_prompt(setup.agents, key, together, ask.round),
                       cached=is_bedrock_model, warm=warm, prices=setup.settings.prices)
    stopped = over_cost_limit(setup.settings.review.max_cost_usd, planned, ask.round)
    usage: list[UsageRecord] = []
    # Built once, before the reviewers start, while the analyzers run.
    models = partial(_build_models, setup, names)
    evidence = gather_evidence(setup.agents, _analyzer(setup, ask, changes), changes,
                               side=[models])
    for chunk in plan.chunks if names else ():  # the round's prefix, redacted here, once
        redact_around(round_prompt(_input(ask.round, chunk, context, ask.addressed,
                                          setup.steering,
                                          _shared_evidence(setup, evidence, chunk))),
                      _shown_diff(chunk))
    recorded = (*unread_evidence(evidence, plan.chunks),
                *located(classified.flags, setup.workspace.root))
    material = RoundMaterial(round=ask.round, chunks=plan.chunks, skipped=plan.skipped,
                             evidence=evidence, assignments=assignments, estimate=planned,
                             stopped=stopped, recorded=tuple(map(redact_finding, recorded)))
    path = material.write(setup.run_dir / f"round-{ask.round}.material.json")
    not_started = [not_started_outcome(a, ask.round, f"not started: {stopped}", evidence)
                   for a in setup.agents] if stopped else [
        not_started_outcome(a, ask.round, f"not reviewed: {unreviewed[a.name]}", evidence)
        for a in setup.agents if a.name in unreviewed]
    return PreparedRound(material_path=path, skipped=tuple(plan.skipped),
                         assignments=() if stopped else tuple(assignments), stopped=stopped,
                         together=() if stopped else together,
                         not_started=not_started, usage=usage,
                         turned_off=[turned_off_outcome(a, ask.round) for a in setup.turned_off])


def reviewer_input(setup: RoundSetup, material_path: str, agent_name: str, index: int,
                   ask: RoundAsk) -> tuple[AgentDefinition, ReviewInput]:
    """What reviewer `agent_name` reads for chunk `index` of the round."""
    material = load_material(material_path)
    agent = setup.agent(agent_name)
    chunk = material.chunks[index] if material.chunks else None
    mine = material.evidence_in(agent.name, chunk)
    first = index == material.first_chunk(agent.name)  # analyzer health is reported once
    # offline no prompt is built: nothing is shared
    shared = _chunk_evidence(setup, material, material_path, chunk) \
        if setup.models.enabled else ()
    paths = chunk.paths if chunk else ()
    own = agent.in_scope(paths)
    layered = _layers(setup, material, chunk)
    rest: tuple[str, ...] = ()
    after, after_evidence = "", tuple[Finding, ...]()
    if chunk is not None and layered is not None and agent.name in layered.sharing:
        rest = layered.rest(agent.name)  # sent after the prefix
        after = part(chunk, rest).diff if rest else ""
        after_evidence = tuple(f for f in shared if f.file in rest)
        chunk, shared = (part(chunk, layered.common),
                         tuple(f for f in shared if f.file in layered.common))
    elif chunk is not None and own and len(own) < len(paths) and not setup.models.enabled:
        # offline the outcome reads the files, not their diff (`offline_outcome`): cutting
        # the chunk's diff would parse it again (a second parse of the whole change)
        chunk = chunk.model_copy(update={"paths": own})
    elif chunk is not None and own and len(own) < len(paths):
        chunk, shared = part(chunk, own), tuple(f for f in shared if f.file in own)
    review = replace(_input(ask.round, chunk, _task_context(ask), ask.addressed,
                            setup.steering, shared),
                     evidence=mine.findings, outside=mine.outside,
                     analyzers=mine.health if first else (),
                     paths=(*chunk.paths, *rest) if chunk else (), after=after,
                     after_paths=rest, after_evidence=after_evidence)
    model = reviewer_model(setup.settings, agent.model) or ""
    cached = layered is not None and layered.after_cached(
        agent.name, estimate_tokens(after_prompt(review)), cache_min_tokens(model))
    return agent, replace(review, after_cached=cached)


def _layers(setup: RoundSetup, material: RoundMaterial, chunk: Chunk | None
            ) -> Layers | None:
    """How the chunk's reviewers share its files (`review.layers`); offline none is."""
    if chunk is None or not setup.models.enabled:
        return None
    models = _review_models(setup)
    together = asked_together(setup.agents, material.chunks, material.assignments, models) \
        if combined(setup.settings.review, material.round) else ()
    return layers(chunk, [setup.agent(name) for name, index in material.assignments
                          if index == chunk.index],
                  [names for index, names in together if index == chunk.index], models)


@dataclass(frozen=True)
class SharedPrefix:
    """What a fixer reads of a round's cache: the reviewers' cached parts that are the same
    for every group of findings (the rules, then the steering of the chunk's files with the
    task the round reviewed), and the files that steering covers."""

    parts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


def shared_prefix(setup: RoundSetup, material_path: str, ask: RoundAsk,
                  files: Sequence[str]) -> SharedPrefix:
    """The parts of the prefix the reviewers of the chunk holding the first of `files`
    cached, byte for byte, up to the round's material (the diff and the evidence): a later
    prompt that starts with them (the fixer's) reads their cache. The fixer is given its
    findings and reads the lines they name itself: every fixer call read the whole diff
    again (0.1x of it a call, six calls for three groups), more than the fix step's own
    words. Offline nothing is cached; with no chunk holding `files`, the rules (the same
    for every chunk) and the task."""
    if not setup.models.enabled:
        return SharedPrefix()
    material = load_material(material_path)
    task = _task_context(ask)
    chunk = next((c for f in files for c in material.chunks if f in c.paths), None)
    if chunk is None:
        return SharedPrefix(parts=cached_rules(ReviewInput(round=ask.round, diff_text="",
                                                           task_context=task)))
    layered = _layers(setup, material, chunk)
    if layered is not None:  # the prefix holds the files every sharing reviewer covers
        chunk = part(chunk, layered.common)
    review = _input(ask.round, chunk, task, ask.addressed, setup.steering)
    return SharedPrefix(parts=cached_rules(review), paths=tuple(chunk.paths))


def _chunk_evidence(setup: RoundSetup, material: RoundMaterial, path: str,
                    chunk: Chunk | None) -> tuple[Finding, ...]:
    """`_shared_evidence`, worked out once for all of a chunk's reviewers (each redacted
    every analyzer finding of the chunk again: ~10k of them at 20k lines)."""
    if chunk is None:
        return ()
    return material.once(path, chunk.index,
                         lambda: _shared_evidence(setup, material.evidence, chunk))


def _shared_evidence(setup: RoundSetup, evidence: Mapping[str, AgentEvidence],
                     chunk: Chunk | None) -> tuple[Finding, ...]:
    """Every analyzer finding on the chunk's added lines of each reviewer whose scope covers
    one of its files, in reviewer order and redacted: byte-identical for all of them."""
    if chunk is None:
        return ()
    paths = set(chunk.paths)
    return tuple(redact_finding(f) for agent in setup.agents
                 if any(agent.applies_to(p) for p in paths)
                 for f in evidence.get(agent.name, AgentEvidence()).findings
                 if f.file in paths)


def _shown_diff(chunk: Chunk) -> str:
    """The chunk's diff as the round's prompt shows it, with its fences: redacted file by
    file when the chunks were planned, so the prompt's redaction need not scan it again."""
    return shown_fenced(chunk.diff)


def _shared(round_no: int, context: str, addressed: Sequence[Finding], steering: SteeringSet,
            chunk: Chunk) -> str:
    return shared_prompt(_input(round_no, chunk, context, addressed, steering))


def _input(round_no: int, chunk: Chunk | None, context: str, addressed: Sequence[Finding],
           steering: SteeringSet, evidence: Sequence[Finding] = ()) -> ReviewInput:
    """A chunk's shared input, with the steering that applies to the chunk's files."""
    return ReviewInput(round=round_no, diff_text=chunk.diff if chunk else "",
                       task_context=context, addressed=list(addressed),
                       steering=steering.block(chunk.paths) if chunk else "",
                       shared_evidence=evidence)


def _as_is(diff: FileDiff) -> str:
    return diff.text


def _task_context(ask: RoundAsk) -> str:
    path = ask.context_path
    return Path(path).read_text(encoding="utf-8") if path else ""


def _review_models(setup: RoundSetup) -> dict[str, str]:
    """Each reviewer's model name (the models themselves are built alongside the analyzers)."""
    if not setup.models.enabled:
        return {}
    names = {a.name: reviewer_model(setup.settings, a.model) for a in setup.agents}
    return {agent: name for agent, name in names.items() if name}


def _budget(setup: RoundSetup, names: dict[str, str]) -> int | None:
    """Diff tokens per reviewer call: one budget for all reviewers (the smallest window), so
    they share a prompt prefix; None offline, where no model has a window."""
    if not names:
        return None
    review = setup.settings.review
    window = min(context_window(name, review.context_windows) for name in names.values())
    return min(review.chunk_tokens or window, int(window * DIFF_SHARE))


def _classified(setup: RoundSetup, ask: RoundAsk, changes: ChangeSet) -> Classification:
    """Which files the models skip, as the trusted side classifies them, and what the change
    does to hide one; a run trusts its baseline and measures the change from it."""
    tree, trust = setup.trusted.resolved(ask.baseline.tree, lambda: changes if ask.round == 1
                                         else parse_diff(setup.repo.diff_since(ask.baseline)))
    return classify(setup.repo, changes, setup.workspace.root, tree, trust)


def _leave_out(setup: RoundSetup, readable: Readability, path: str) -> str | None:
    """The one rule for what content may be read and sent (symlinks, secrets, files outside
    the checkout, over the size limit or binary), as the analyzers apply it."""
    return readable.skipped(path, setup.workspace.sensitive)


def _analyzer(setup: RoundSetup, ask: RoundAsk, changes: ChangeSet
              ) -> Callable[[AgentDefinition], AnalyzerReport] | None:
    """The analyzers on the change as it is now, measured against the whole change since the
    run's baseline, as the ledger numbers lines. From round 2 on they look only at the
    files the fix touched and those of the analyzer findings it targeted
    (`rechecked_files`); the ledger keeps its verdicts on the others (a re-review judges the
    fix, not the files it left alone)."""
    analyze = setup.analyze
    if analyze is None:
        return None
    root, checkout = setup.workspace.root, setup.repo.root
    # the project's own analyzer config counts as the trusted side has it (eslint_project.py)
    if ask.round > 1:
        fix_files = rechecked_files(changes.paths, ask.addressed)
        whole = _whole_change(setup, ask)
        trust = setup.trusted.for_analyzers(ask.baseline.tree, lambda: parse_diff(whole),
                                            checkout)
        return lambda agent: analyze(agent, whole, root, only=fix_files, trust=trust)
    diff_text = read_diff(ask.diff_path)
    trust = setup.trusted.for_analyzers(ask.baseline.tree, lambda: changes, checkout)
    return lambda agent: analyze(agent, diff_text, root, trust=trust)


def _whole_change(setup: RoundSetup, ask: RoundAsk) -> str:
    """The whole change as reviewed, to the tree as the fixes left it: a run's from its
    baseline; `review --fix`'s from its base commit and under its paths, as round 1 read
    it (its baseline is taken after the change: from there a fix round saw the fix alone,
    and a fix to code alone looked untested to `test-changes`)."""
    if setup.change_from is None:
        return setup.repo.diff_since(ask.baseline)
    return setup.repo.diff(setup.change_from[1] or None, base=setup.change_from[0])


def _build_models(setup: RoundSetup, names: dict[str, str]) -> None:
    """Build every reviewer's chat model (once per run) while the analyzers run."""
    for model in set(names.values()):
        setup.models.get("review", model)

