"""The live view, recorded from a real terminal: `reviewloop review` runs on a
pseudo-terminal read through a terminal emulator (tests/support/terminal.py) against a
scripted Bedrock fake whose reviewers answer only when the test releases them, and the
screen is read while they work and after they finish. Off a terminal (a pipe) the same
review prints one line per event.

Nothing is timed: each state is awaited by reading the command's output until it shows."""

from __future__ import annotations

import io
import operator
import os
import re
import sys
import threading
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from langchain_core.messages import HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from rich.console import Console

from reviewloop.agent.tool_loop import call_with_deadline
from reviewloop.cli import live
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.chat import ScriptedChatModel
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    REVIEWERS,
    cli,
    fake_env,
    make_example,
    manual_change,
    one_call_each,
)
from tests.support.terminal import Terminal

FAST, SLOW = CALLED[0], CALLED[1:]
OUT_OF_SCOPE = "review-infrastructure"  # no .py file is in its scope: reported, never called
SKIP_NOTE = "no changed file is in this reviewer's scope"
ROW = re.compile(r"^\S\s+(?P<name>review-[a-z-]+):?\s+(?P<secs>\d+)s\b(?P<rest>.*)$")


class State(TypedDict, total=False):
    reviews: Annotated[list, operator.add]
    review_agent: str


def script_reviews(fake: BedrockFake, release: threading.Event | None = None) -> None:
    """The first reviewer answers at once; the others only once `release` is set."""
    fake.script(f"agent: {FAST}", [tool_use("submit_findings", {"findings": []})])
    for name in SLOW:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []},
                                                gate=release)])


def rows(text: str) -> dict[str, tuple[int, str]]:
    """Reviewer rows of a capture: name -> (seconds shown, the rest of the line)."""
    found = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            found[match["name"]] = (int(match["secs"]), match["rest"].strip())
    return found


def running(text: str) -> dict[str, int]:
    return {name: secs for name, (secs, rest) in rows(text).items() if rest.endswith("…")}


def test_the_live_view_updates_reviewer_lines_then_shows_outcomes(tmp_path: Path) -> None:
    project = make_example(tmp_path)
    one_call_each(project)  # a line per reviewer's own call, the first ending before the rest
    manual_change(project)
    release = threading.Event()
    with BedrockFake() as fake:
        script_reviews(fake, release)
        env = {**fake_env(fake), "PATH": os.environ["PATH"], "TERM": "xterm-256color",
               "HOME": os.environ.get("HOME", str(tmp_path))}
        terminal = Terminal([sys.executable, "-m", "reviewloop", "review", "--model", MODEL],
                            env=env, cwd=project)
        try:
            # 1. the held reviewers at work, each on its own line with a spinner and seconds;
            #    the first reviewer's line already shows its outcome
            first = terminal.wait_for(lambda t: set(SLOW) <= set(running(t))
                                      and FAST in rows(t) and FAST not in running(t))
            # 2. later: the same lines, still running, their seconds moved on
            second = terminal.wait_for(lambda t: set(SLOW) <= set(running(t)) and all(
                running(t)[n] > running(first)[n] for n in SLOW))
            release.set()
            # 3. the end: every reviewer's outcome, printed for good
            status = terminal.wait_exit()
            final = terminal.screen()
        finally:
            release.set()
            terminal.close()

    spinner_first = {line.strip()[0] for line in first.splitlines()
                     if ROW.match(line.strip()) and line.strip().endswith("…")}
    assert spinner_first and not spinner_first & {"✓", "✗"}, first
    assert rows(first)[FAST][1].endswith("0 finding(s)"), first
    assert "tokens" in rows(first)[FAST][1], first  # the fake's usage, counted as it came
    outcomes = rows(final)
    assert set(outcomes) == set(REVIEWERS), final
    assert outcomes[OUT_OF_SCOPE][1].endswith(SKIP_NOTE), final
    for name in CALLED:
        rest = outcomes[name][1]
        assert rest.endswith("0 finding(s)"), final
        assert "tokens" in rest, final
    for name in SLOW:  # the time shown as each ended: at least what the view showed before
        assert outcomes[name][0] >= running(second)[name], final
    assert not running(final), final
    assert "✓ review round 1:" in final, final  # the round's estimate line (`prepare`)
    assert status == 0, final


@pytest.mark.parametrize("combined", [True, False], ids=["combined", "one-call-each"])
def test_off_a_terminal_each_event_is_one_plain_line(tmp_path: Path, combined: bool) -> None:
    project = make_example(tmp_path)
    if not combined:
        one_call_each(project)
    manual_change(project)
    with BedrockFake() as fake:
        script_reviews(fake)
        done = cli(project, "review", "--model", MODEL, env=fake_env(fake))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("• review round 1")]
    assert lines[0] == "• review round 1 …", done.stderr  # the step started
    assert lines[1].startswith("• review round 1: "), done.stderr  # its estimate
    # each reviewer says what it found on a line of its own, also when asked with others
    assert sorted(lines[2:]) == sorted([
        *(f"• review round 1 · {name}: 0 finding(s)" for name in CALLED),
        f"• review round 1 · {OUT_OF_SCOPE}: {SKIP_NOTE}"]), done.stderr
    # each call says when it starts, on a line of its own: one naming all it asks
    calls = [" + ".join(CALLED)] if combined else list(CALLED)
    for name in [*calls, OUT_OF_SCOPE]:
        assert f"• {name} …" in done.stderr.splitlines(), done.stderr
    assert "\x1b[" not in done.stderr  # no live drawing in a log


def test_the_view_follows_a_real_graph_and_counts_tokens_across_the_call_thread() -> None:
    """In process: a real LangGraph fan-out whose branches call a scripted chat model on
    `call_with_deadline`'s thread; the view's finished lines carry label, tokens, outcome."""
    model = ScriptedChatModel()
    model.enqueue("fine", "also fine")

    def prepare(state: State) -> dict:
        return {"reviews": []}

    def review(state: State) -> dict:
        reply = call_with_deadline(lambda: model.invoke([HumanMessage("look")]), 30)
        return {"reviews": [{"agent": state["review_agent"], "text": reply.content}]}

    graph = StateGraph(State)
    graph.add_node("prepare", prepare)
    graph.add_node("review", review)
    graph.add_edge(START, "prepare")
    graph.add_conditional_edges("prepare", lambda s: [
        Send("review", {"review_agent": a}) for a in ("review-a", "review-b")], ["review"])
    graph.add_edge("review", END)

    def describe(node: str, update: dict) -> str:
        if node == "review":
            return f"review round 1 · {update['reviews'][0]['agent']}: said " \
                   f"{update['reviews'][0]['text']!r}"
        return f"{node}: ready"

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with live.session(describe, console=console) as view:
        assert live.active() is view
        graph.compile().invoke({"reviews": []})
        assert view.live is None  # the graph returned: the terminal is the command's again
    assert live.active() is None

    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # cursor codes
    lines = [line.strip() for line in shown.splitlines() if line.startswith("✓")]
    assert any(line == "✓ review round: 0s · prepare: ready"
               for line in lines), out.getvalue()
    reviews = sorted(line for line in lines if line.startswith("✓ review-"))
    assert len(reviews) == 2, shown
    for name, line in zip(("review-a", "review-b"), reviews, strict=True):
        assert line.startswith(f"✓ {name}: 0s · ") and " tokens · said '" in line, line


def test_a_failing_node_is_marked_and_the_view_stops_with_the_graph() -> None:
    def broken(state: State) -> dict:
        raise RuntimeError("the analyzer crashed")

    graph = StateGraph(State)
    graph.add_node("triage", broken)
    graph.add_edge(START, "triage")
    graph.add_edge("triage", END)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with live.session(lambda node, update: None, console=console) as view:
        with pytest.raises(RuntimeError):
            graph.compile().invoke({"reviews": []})
        assert view.live is None and not view.rows
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "✗ triage: 0s · failed: RuntimeError: the analyzer crashed" in shown, shown


def test_each_gate_of_a_finished_gates_step_gets_its_line() -> None:
    update = {"gate_report": {"headline": "failed: test", "results": [
        {"name": "build", "passed": True, "summary": "ok", "duration_s": 1.2},
        {"name": "test", "passed": False, "summary": "2 failed", "duration_s": 7.6},
        {"name": "lint", "passed": True, "skipped": True, "summary": "no linter"}]}}
    assert [line.plain for line in live.gate_lines(update)] == [
        "    ✓ build: 1s · ok", "    ✗ test: 8s · 2 failed", "    - lint: 0s · no linter"]
    assert live.gate_lines({}) == []


def test_the_view_is_off_without_a_terminal(monkeypatch) -> None:
    monkeypatch.setenv("TERM", "dumb")  # off even when pytest runs with -s in a terminal
    with live.session(lambda node, update: None) as view:
        assert view is None and live.active() is None
        with live.paused():
            pass


def test_a_subcommand_s_quiet_keeps_an_open_view_from_drawing() -> None:
    """`reviewloop review -q` on a terminal: the view was opened before the subcommand's
    own -q was read, so the view itself draws nothing once quiet is set."""
    from reviewloop.cli import ui

    graph = StateGraph(State)
    graph.add_node("triage", lambda state: {"reviews": ["x"]})
    graph.add_edge(START, "triage")
    graph.add_edge("triage", END)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    ui.set_verbosity(ui.QUIET)
    try:
        with live.session(lambda node, update: "done", console=console) as view:
            graph.compile().invoke({"reviews": []})
            assert view.live is None and not view.rows
    finally:
        ui.set_verbosity(ui.NORMAL)
    assert out.getvalue() == ""
