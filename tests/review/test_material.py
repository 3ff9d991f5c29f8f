"""reviewloop.review.material: the round's material, written once and read by every reviewer."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.review import material
from reviewloop.review.chunks import Chunk, ChunkPlan
from reviewloop.review.definitions import builtin_agents
from reviewloop.review.material import AgentEvidence, Estimate, RoundMaterial, load_material


def _material() -> RoundMaterial:
    found = Finding(severity=Severity.SHOULD_FIX, file="app.py", start_line=2, end_line=2,
                    title="t", rationale="r", confidence=0.9, agent="review-security",
                    source="bandit", rule="B101")
    return RoundMaterial(round=1, chunks=(Chunk(index=0, paths=("app.py",), diff="d", tokens=1),),
                         evidence={"review-security": AgentEvidence(findings=(found,))},
                         assignments=(("review-security", 0),))


def test_the_process_that_wrote_the_material_reads_it_from_memory(tmp_path) -> None:
    written = _material()
    path = written.write(tmp_path / "round-1.material.json")
    assert load_material(path) is written
    # the file holds the same material, for a run resumed by another process
    assert RoundMaterial.model_validate(json.loads((tmp_path / "round-1.material.json")
                                                   .read_text("utf-8"))) == written


def test_material_another_process_wrote_is_parsed_from_the_file(tmp_path) -> None:
    path = tmp_path / "round-1.material.json"
    path.write_text(_material().model_dump_json(), encoding="utf-8")
    read = load_material(str(path))
    assert read == _material() and load_material(str(path)) is read  # parsed once


def test_only_the_last_few_written_are_kept(tmp_path) -> None:
    paths = [_material().write(tmp_path / f"round-{n}.material.json") for n in range(12)]
    kept = {p for p, _ in material._WRITTEN}
    assert str(paths[-1]) in kept and str(paths[0]) not in kept
    assert len(material._WRITTEN) <= 8
    assert load_material(paths[0]) == _material()  # from its file


def test_what_a_chunks_reviewers_share_is_worked_out_once(tmp_path) -> None:
    written = _material()
    path = written.write(tmp_path / "round-1.material.json")
    calls: list[int] = []

    def compute() -> tuple[Finding, ...]:
        calls.append(1)
        return written.evidence["review-security"].findings

    read = load_material(path)
    assert [read.once(path, 0, compute) for _ in range(5)] == [compute()] * 5
    assert len(calls) == 2  # the first reviewer's, and the comparison's own
    read.once(path, 1, compute)  # another chunk
    assert len(calls) == 3
    # another material at the same path (a rewritten file): worked out again
    _material().once(path, 0, compute)
    assert len(calls) == 4


def test_a_reviewer_whose_files_are_all_over_the_budget_is_not_reviewed_not_out_of_scope():
    agents = builtin_agents()
    plan = ChunkPlan(chunks=(Chunk(index=0, paths=("README.md",), diff="d", tokens=1),),
                     skipped=("app.py: its diff (900 tokens) is over the budget",), budget=64,
                     over_budget=("app.py",))
    unreviewed = material.unsent(agents, plan)
    python_only = {a.name for a in agents if a.applies_to("app.py")
                   and not a.applies_to("README.md")}
    assert python_only and set(unreviewed) == python_only
    assert all(why.startswith("app.py: over the 64-token budget") and "context_windows" in why
               for why in unreviewed.values())
    # a reviewer with a file a chunk holds is sent that chunk
    both = next(a for a in agents if a.applies_to("README.md") and a.applies_to("app.py"))
    assert both.name not in unreviewed
    out = material.not_started_outcome(both, 1, "not reviewed: x", {})
    assert out.status == "failed" and out.error == "not reviewed: x"


@given(limit=st.one_of(st.none(), st.floats(0.0001, 100)),
       cost=st.one_of(st.none(), st.floats(0, 200)))
def test_a_round_is_stopped_over_the_cost_limit_or_when_its_cost_is_unknown(limit, cost):
    """A model without a price is not $0: `max_cost_usd` could not hold, and says so."""
    why = material.over_cost_limit(limit, Estimate(cost_usd=cost), 2)
    if limit is None:
        assert why is None
    elif cost is None:
        assert why is not None and "round 2's cost is unknown" in why and "[prices]" in why
    else:
        assert (why is not None) == (cost > limit)
        assert why is None or why.startswith("estimated $")
