"""The typed state survives a checkpoint on both savers: a run stops at the approval
question, is read back as its own classes (nothing blocked, nothing left as a dict), and
resumes to its commit. A run saved by the untyped state is refused, and says why."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from reviewloop.checks.gates.base import GateReport
from reviewloop.findings.ledger import Ledger
from reviewloop.git.repository import Snapshot, TouchedFiles
from reviewloop.graph.build import build_graph
from reviewloop.graph.state import Limits
from reviewloop.reports.report import RunSummary
from reviewloop.review.reviewer import ReviewerOutcome
from reviewloop.runs.runner import LoopRunner
from reviewloop.runs.store import checkpointer
from tests.support import warm_cli
from tests.support.runner import settings, start

CALC = "def add(a, b):\n    return a + b\n"


def offline(root: Path, **kw: object) -> LoopRunner:
    (root / "calc.py").write_text(CALC)
    return LoopRunner(root, settings(**kw), lambda name: None, llm=False)  # type: ignore[arg-type,return-value]


def saved(run: LoopRunner, run_id: str) -> dict:
    with checkpointer(run.settings, run.root) as saver:
        return build_graph(checkpointer=saver).get_state(
            {"configurable": {"thread_id": run_id}}).values


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_run_stops_for_approval_and_resumes_with_its_typed_state(
        project: Path, store: str, request: pytest.FixtureRequest,
        caplog: pytest.LogCaptureFixture) -> None:
    url = request.getfixturevalue("pg_url") if store == "postgres" else None
    run = offline(project, checkpoint_url=url)

    result = start(run, project, "manual")

    assert result.status == "awaiting_approval"
    values = saved(run, result.run_id)
    assert isinstance(values["baseline"], Snapshot)
    assert isinstance(values["limits"], Limits) and values["limits"].fix
    assert isinstance(values["touched"], TouchedFiles) and "calc.py" in values["touched"].paths
    assert isinstance(values["gate_report"], GateReport) and values["gate_report"].passed
    assert isinstance(values["ledger"], Ledger)
    assert values["reviews"] and all(isinstance(r, ReviewerOutcome) for r in values["reviews"])
    assert values["schema_version"] == 2
    assert not [r for r in caplog.records if "deserializ" in r.getMessage().lower()]

    done = run.resume(result.run_id, "approve")

    assert done.status == "committed"
    assert isinstance(saved(run, result.run_id)["summary"], RunSummary)


def test_a_run_saved_by_the_untyped_state_is_refused_with_what_to_do(
        project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    run = offline(project)
    result = start(run, project, "manual")
    with checkpointer(run.settings, project) as saver:  # what the untyped state left
        graph = build_graph(checkpointer=saver)
        config = {"configurable": {"thread_id": result.run_id}}
        graph.update_state(config, {"schema_version": 1})

    for command in ("approve", "resume"):
        out = warm_cli.run([command, result.run_id], project, timeout=120)
        assert out.returncode == 2, out.stderr
        said = " ".join((out.stdout + out.stderr).split())
        assert "saved by another version of reviewloop" in said
        assert f"reviewloop clean {result.run_id}" in said
    assert (project / "calc.py").read_text() == CALC  # nothing was touched


def test_each_checkpointer_gets_its_own_copy_of_one_compiled_graph(project: Path) -> None:
    """The loop is compiled once per process (a compile resolves every node's type hints
    again); each checkpointer gets its own copy, which reads and writes only its store."""
    run = offline(project)
    result = start(run, project, "manual")
    config = {"configurable": {"thread_id": result.run_id}}
    elsewhere = InMemorySaver()
    with checkpointer(run.settings, run.root) as saver:
        mine, other = build_graph(checkpointer=saver), build_graph(checkpointer=elsewhere)
        assert (mine.checkpointer, other.checkpointer) == (saver, elsewhere)
        assert "calc.py" in mine.get_state(config).values["touched"].paths
        assert other.get_state(config).values == {}
        other.update_state(config, {"schema_version": 1})  # written to `elsewhere` only
        assert mine.get_state(config).values["schema_version"] == 2
    assert all(mine.nodes[name] is other.nodes[name] for name in mine.nodes)  # one compile
    assert run.resume(result.run_id, "approve").status == "committed"
