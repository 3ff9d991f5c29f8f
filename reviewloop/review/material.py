"""What one review round works from, made once before the reviewers fan out.

The round's diff is parsed and redacted once, cut into chunks a reviewer call can hold
(`reviewloop.review.chunks`), and every reviewer's analyzers run once, side by side; the
result is written to the run folder and each reviewer branch reads its chunk and its
evidence from it. A token and cost estimate for the round is made before any model is
called, and a round over `[review] max_cost_usd` is stopped there.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.agent.models import estimate_tokens, price_for
from reviewloop.agent.spend import usd
from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.review.chunks import Chunk, ChunkPlan
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import AnalyzerReport
from reviewloop.review.reviewer import ReviewerOutcome

# What a reviewer's reply is planned at, for the estimate only (usage comes from replies).
PLANNED_OUTPUT_TOKENS = 1_000


class AgentEvidence(BaseModel):
    """One reviewer's analyzer results for the round (`AnalyzerReport` as data)."""

    model_config = ConfigDict(frozen=True)

    findings: tuple[Finding, ...] = ()  # on lines the round's diff adds or removes around
    outside: tuple[Finding, ...] = ()  # on other lines its hunks show (the ledger decides)
    health: tuple[Health, ...] = ()


class Estimate(BaseModel):
    """The round's planned model use, made before any reviewer starts."""

    model_config = ConfigDict(frozen=True)

    calls: int = 0
    chunks: int = 0
    prompt_tokens: int = 0  # every planned call's prompt, cached parts included
    cache_read_tokens: int = 0  # of those, read from the provider's cache
    cache_write_tokens: int = 0
    cost_usd: float | None = None  # None: a model without a known price

    def describe(self) -> str:
        text = (f"{self.calls} reviewer call(s) over {self.chunks} chunk(s), "
                f"~{self.prompt_tokens:,} prompt tokens")
        if self.cache_read_tokens:
            text += f" ({self.cache_read_tokens:,} read from cache)"
        if self.cost_usd is not None:
            text += f", est. {usd(self.cost_usd)}"
        return text


def assign(agents: Sequence[AgentDefinition], chunks: Sequence[Chunk]
           ) -> tuple[tuple[str, int], ...]:
    """Each reviewer on every chunk holding a file in its scope; on the first chunk when none
    does, so that it reports itself skipped rather than vanishing."""
    pairs = []
    for agent in agents:
        found = [c.index for c in chunks if any(agent.applies_to(p) for p in c.paths)]
        pairs += [(agent.name, i) for i in (found or [0])]
    return tuple(pairs)


def unsent(agents: Sequence[AgentDefinition], plan: ChunkPlan) -> dict[str, str]:
    """The reviewers none of whose files any chunk holds although a changed file in their
    scope is over the budget of one call (`ChunkPlan.over_budget`), each with why: they are
    not reviewed, which is never "no changed file in scope"."""
    found: dict[str, str] = {}
    for agent in agents:
        mine = [p for p in plan.over_budget if agent.applies_to(p)]
        if mine and not any(agent.applies_to(p) for c in plan.chunks for p in c.paths):
            shown = ", ".join(mine[:3]) + (f" and {len(mine) - 3} more" if len(mine) > 3 else "")
            found[agent.name] = (f"{shown}: over the {plan.budget or 0:,}-token budget of one "
                                 "reviewer call; raise [review] context_windows or chunk_tokens")
    return found


def not_started_outcome(agent: AgentDefinition, round_no: int, error: str,
                        evidence: Mapping[str, AgentEvidence]) -> ReviewerOutcome:
    """A reviewer no model was asked for (a stopped round, a file over the budget): failed,
    with its analyzers' results, which count (deterministic)."""
    own = evidence.get(agent.name, AgentEvidence())
    return ReviewerOutcome(agent=agent.name, round=round_no, status="failed",
                           findings=[*own.findings, *own.outside], analyzers=list(own.health),
                           error=error, duration_s=0.0)


class RoundMaterial(BaseModel):
    model_config = ConfigDict(frozen=True)

    round: int
    chunks: tuple[Chunk, ...] = ()
    skipped: tuple[str, ...] = ()  # "path: reason": changed files no reviewer saw
    evidence: dict[str, AgentEvidence] = {}
    # (reviewer, chunk) pairs: one reviewer branch each, in the round's fan-out
    assignments: tuple[tuple[str, int], ...] = ()
    estimate: Estimate = Estimate()
    stopped: str | None = None  # why the round's reviewers were not started
    # Recorded in the ledger as they are, whatever a model answers: analyzer findings on
    # files no chunk holds (sensitive, generated, vendored, over the budget) and what the
    # change does to hide a file (`reviewloop.review.classify`).
    recorded: tuple[Finding, ...] = ()

    def first_chunk(self, agent: str) -> int:
        return next((i for a, i in self.assignments if a == agent), 0)

    def evidence_in(self, agent: str, chunk: Chunk | None) -> AgentEvidence:
        """`agent`'s evidence on the files of `chunk` (all of it without chunks)."""
        own = self.evidence.get(agent, AgentEvidence())
        if chunk is None:
            return own
        paths = set(chunk.paths)
        return AgentEvidence(findings=tuple(f for f in own.findings if f.file in paths),
                             outside=tuple(f for f in own.outside if f.file in paths),
                             health=own.health)

    def once(self, path: str, chunk: int, compute: Callable[[], tuple[Finding, ...]]
             ) -> tuple[Finding, ...]:
        """`compute()` for `chunk` of the material at `path`, worked out by the first of the
        chunk's reviewers that asks (the same material object: `load_material`)."""
        kept = _PER_CHUNK.get((path, chunk))
        if kept is not None and kept[0] is self:
            return kept[1]
        found = compute()  # two reviewers at once: the same result, twice
        with _WRITTEN_LOCK:  # the reviewer branches run in threads
            _PER_CHUNK[(path, chunk)] = (self, found)
            while len(_PER_CHUNK) > _KEEP * 8:
                del _PER_CHUNK[next(iter(_PER_CHUNK))]
        return found

    def write(self, path: Path) -> str:
        """Written for a resumed run; this process's reviewers read it from memory."""
        path.write_text(self.model_dump_json(), encoding="utf-8")
        key = (str(path), path.stat().st_mtime_ns)
        with _WRITTEN_LOCK:  # runs of a batch may prepare rounds at once
            _WRITTEN[key] = self
            while len(_WRITTEN) > _KEEP:
                del _WRITTEN[next(iter(_WRITTEN))]
        return str(path)


# The material this process wrote, by (path, mtime): parsing back the file it has just
# written (a few MB of findings at 20k lines) cost a round ~0.2 s of CPU.
_KEEP = 8
_WRITTEN: dict[tuple[str, int], RoundMaterial] = {}
_WRITTEN_LOCK = threading.Lock()
# Per (material file, chunk): what every reviewer of the chunk shares, with its material.
_PER_CHUNK: dict[tuple[str, int], tuple[RoundMaterial, tuple[Finding, ...]]] = {}


@functools.lru_cache(maxsize=_KEEP)
def _load(path: str, mtime_ns: int) -> RoundMaterial:
    return RoundMaterial.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))


def load_material(path: str) -> RoundMaterial:
    """The round's material; the reviewers of a round share one parsed copy (the one it was
    written from, in the process that wrote it)."""
    key = (path, Path(path).stat().st_mtime_ns)
    kept = _WRITTEN.get(key)
    return kept if kept is not None else _load(*key)


def gather_evidence(agents: Sequence[AgentDefinition],
                    analyze: Callable[[AgentDefinition], AnalyzerReport] | None,
                    changes: ChangeSet, *, side: Sequence[Callable[[], object]] = ()
                    ) -> dict[str, AgentEvidence]:
    """Every agent's analyzers, side by side (they are subprocesses), with `side` tasks
    (cache warming) running alongside; findings the model will judge are those on lines
    the round's diff adds."""
    with ThreadPoolExecutor(max_workers=max(len(agents) + len(side), 1)) as pool:
        extra = [pool.submit(task) for task in side]
        reports = {a.name: pool.submit(analyze, a) for a in agents
                   if analyze is not None and a.has_analyzer_rows}
        out = {name: _evidence(future.result(), changes) for name, future in reports.items()}
        for future in extra:
            future.result()
    return out


def unread_evidence(evidence: Mapping[str, AgentEvidence], chunks: Sequence[Chunk]
                    ) -> tuple[Finding, ...]:
    """Every agent's analyzer findings on changed files that no chunk holds: no model reads
    those files, so no model can judge (or drop) what the analyzers found in them."""
    read = {p for chunk in chunks for p in chunk.paths}
    return tuple(f for own in evidence.values() for f in (*own.findings, *own.outside)
                 if f.file not in read)


def _evidence(report: AnalyzerReport, changes: ChangeSet) -> AgentEvidence:
    """The round's own lines (added, or around a removal) are the model's to look at; the
    rest of the change's findings (a re-review of a fix) go along as `outside`."""
    return AgentEvidence(
        findings=tuple(f for f in report.findings
                       if changes.touches(f.file, f.start_line, f.end_line)),
        outside=(*report.outside, *(
            f for f in report.findings
            if not changes.touches(f.file, f.start_line, f.end_line))),
        health=tuple(report.health))


@functools.lru_cache(maxsize=1)
def _tool_spec_tokens() -> int:
    """The reviewer tools' schemas as the provider receives them (sent with every call)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from reviewloop.agent.tools import ToolLog, Workspace, reviewer_tools
    from reviewloop.review.submit import submit_tool

    tools = [*reviewer_tools(Workspace(Path(".")), ToolLog()), submit_tool()]
    return estimate_tokens(json.dumps([convert_to_openai_tool(t) for t in tools]))


def over_cost_limit(limit: float | None, planned: Estimate, round_no: int) -> str | None:
    """Why the round is stopped before any reviewer call under `[review] max_cost_usd`
    (None: it is not): an estimate over it, or a cost that is unknown (a model without a
    price is not $0: the limit could not hold)."""
    cost = planned.cost_usd
    if limit is not None and cost is None:
        return (f"[review] max_cost_usd is {usd(limit)} but round {round_no}'s cost is unknown "
                "(a model has no price); add the model under [prices]")
    return None if limit is None or cost is None or cost <= limit else (
        f"estimated {usd(cost)} for round {round_no} is over [review] max_cost_usd {usd(limit)}")


def estimate(plan: ChunkPlan, calls: Mapping[int, Sequence[tuple[str, str]]],
             shared: Callable[[Chunk], str], specific: Callable[[str], str], *,
             cached: Callable[[str], bool], warm: bool,
             prices: Mapping[str, Mapping[str, float]] | None = None) -> Estimate:
    """Planned tokens and cost: per chunk, the reviewer calls `calls[chunk]` as (agent,
    model) pairs; `shared(chunk)` is the prefix every one of them sends and `specific(agent)`
    the rest. On a model with prompt caching (`cached(model)`) the prefix is written once
    per chunk and model when warmed, else once per call."""
    total = Estimate(chunks=len(plan.chunks))
    # offline no call is planned: no prompt is built, and no tool class loaded to size it
    tools = _tool_spec_tokens() if any(calls.values()) else 0
    cost: float | None = 0.0
    reads = writes = prompt = n = 0
    for chunk in plan.chunks:
        if not calls.get(chunk.index):
            continue
        prefix = estimate_tokens(shared(chunk)) + tools
        by_model: dict[str, list[str]] = {}
        for agent, model in calls.get(chunk.index, ()):
            by_model.setdefault(model, []).append(agent)
        for model, agents in by_model.items():
            own = [estimate_tokens(specific(a)) + 30 for a in agents]
            caching = cached(model)
            w = prefix * (1 if (warm and len(agents) > 1) else len(agents)) if caching else 0
            r = prefix * len(agents) - w if caching else 0
            plain = sum(own) + (0 if caching else prefix * len(agents))
            n += len(agents)
            prompt += prefix * len(agents) + sum(own)
            reads, writes = reads + r, writes + w
            price = price_for(model, prices)
            if price is None or cost is None:
                cost = None
                continue
            cost += (plain * price.get("input", 0.0)
                     + r * price.get("cache_read", price.get("input", 0.0))
                     + w * price.get("cache_write", price.get("input", 0.0))
                     + PLANNED_OUTPUT_TOKENS * len(agents) * price.get("output", 0.0)
                     ) / 1_000_000
    return total.model_copy(update={"calls": n, "prompt_tokens": prompt,
                                    "cache_read_tokens": reads, "cache_write_tokens": writes,
                                    "cost_usd": cost})



def unscoped(agents: Sequence[AgentDefinition], plan: ChunkPlan) -> ChunkPlan:
    """Files no reviewer's scope covers are listed as such, not silently unreviewed."""
    lonely = [p for c in plan.chunks for p in c.paths
              if not any(a.applies_to(p) for a in agents)]
    if not lonely:
        return plan
    return plan.model_copy(update={"skipped": (*plan.skipped, *(
        f"{p}: no reviewer's scope covers it" for p in lonely))})
