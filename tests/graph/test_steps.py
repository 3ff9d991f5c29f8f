"""The review round has one executor (reviewloop.graph.steps): the graph's nodes and an
offline review call the same step functions, and on the same inputs record the same round."""

from __future__ import annotations

from pathlib import Path

from reviewloop.app.review import analyzers_for
from reviewloop.config import Review, Settings
from reviewloop.git.diff import save_diff
from reviewloop.git.repository import TouchedFiles, open_repository
from reviewloop.graph import steps
from reviewloop.graph.build import build_review_graph
from reviewloop.graph.nodes import round_deps
from reviewloop.graph.state import STATE_VERSION, LoopState, ReviewStart, limits_for
from reviewloop.implement.implementer import Implementer
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from reviewloop.runs.runner import deps_for
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.review_cli import repo


def _repo(tmp_path: Path) -> Path:
    root = repo(tmp_path)
    (root / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                 "    return subprocess.call(cmd, shell=True)\n")
    return root


def test_the_graph_and_an_offline_review_call_the_same_step_functions(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    called: list[str] = []
    for name in ("prepare", "review", "triage"):
        real = getattr(steps, name)

        def spy(*args, _real=real, _name=name):
            called.append(_name)
            return _real(*args)
        monkeypatch.setattr(steps, name, spy)
    # one call per reviewer: offline every reviewer is a step of its own (never asked
    # together), so the graph's steps are the same list, not only the same functions
    settings = Settings(model="scripted", review=Review(combined_review=False))
    model = ScriptedChatModel().enqueue(*(
        tool_call("submit_findings", {"findings": [], "summary": "nothing"})
        for _ in range(5)))
    by_executor = {}
    for llm in (False, True):  # offline first: the graph is not loaded yet
        called.clear()
        summary = review_change(root, settings, DiffSource(), model_factory=lambda _: model,
                                llm=llm, analyze=analyzers_for(settings))
        assert isinstance(summary, RunSummary)
        by_executor[llm] = list(called)
    offline, graph = by_executor[False], by_executor[True]
    assert offline[0] == "prepare" and offline[-1] == "triage"
    assert "review" in offline
    assert sorted(graph) == sorted(offline)
    assert model.history  # the graph's reviewers did ask the model


def _outcomes(state: LoopState) -> list[str]:
    """The round's outcomes but their timing, in one order (the graph's branches end in
    any order)."""
    return sorted(r.model_copy(update={"duration_s": 0.0}).model_dump_json()
                  for r in state.reviews)


def test_the_graph_and_run_round_record_the_same_round_from_the_same_inputs(tmp_path):
    """The compiled review graph and `run_round` (what an offline review runs), given the
    same start and context with no model: the same ledger, outcomes and escalations."""
    root = _repo(tmp_path)
    repo_ = open_repository(root)
    settings = Settings()
    baseline = repo_.snapshot()
    states = {}
    for executor in ("graph", "steps"):
        run_dir = tmp_path / executor
        run_dir.mkdir()
        diff_path = run_dir / "round-1.diff"
        save_diff(diff_path, repo_.diff(base="HEAD", tree=baseline.tree))
        deps = deps_for(root, settings, run_dir=run_dir, spec_file=None,
                        implementer=Implementer("manual"), model_factory=lambda _: None,
                        llm=False, analyze=analyzers_for(settings))
        start = ReviewStart(schema_version=STATE_VERSION, run_id=executor, task_id="review",
                            implementer="manual", agents=[a.name for a in deps.agents],
                            baseline=baseline, limits=limits_for(settings, fix=False),
                            diff_path=str(diff_path),
                            touched=TouchedFiles(modified=["app.py"]))
        if executor == "graph":
            states[executor] = LoopState(**build_review_graph().invoke(start, context=deps))
        else:
            states[executor] = steps.run_round(LoopState(**vars(start)), round_deps(deps))
    graph, stepped = states["graph"], states["steps"]
    assert _outcomes(stepped) == _outcomes(graph)
    assert stepped.ledger == graph.ledger
    assert any(e.finding.source == "bandit" for e in stepped.ledger.entries)
    assert (stepped.escalations, stepped.not_reviewed, stepped.actionable) == (
        graph.escalations, graph.not_reviewed, graph.actionable)
