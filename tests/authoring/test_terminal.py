"""`reviewloop spec new` in a real pseudo-terminal, against the loopback Bedrock fake."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from tests.support import drafts

pexpect = pytest.importorskip("pexpect")

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
GATE = "approve/feedback/stop"


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root.resolve()


def _script(fake, *, revised: bool = True) -> None:
    fake.script("Before requirements are written", ["NONE"])
    fake.script('Write the \\"Requirements\\" section', [drafts.REQUIREMENTS])
    fake.script('Write the \\"High-level design\\" section',
                [drafts.HIGH_LEVEL, *([drafts.HIGH_LEVEL_REVISED] if revised else [])])
    fake.script('Write the \\"Low-level design\\" section', [drafts.LOW_LEVEL])
    fake.script('Write the \\"Tasks\\" section', [drafts.TASKS])


def _spawn(repo, *args: str):
    env = {**os.environ, "REVIEWLOOP_MODEL": MODEL, "NO_COLOR": "1", "TERM": "dumb"}
    return pexpect.spawn(sys.executable, ["-m", "reviewloop", *args], cwd=str(repo), env=env,
                         encoding="utf-8", timeout=180, dimensions=(60, 220),
                         preexec_fn=_as_a_terminal_starts_it)


def _as_a_terminal_starts_it() -> None:
    """The stopping signals at their defaults, as a shell at a terminal starts a command: a
    suite run under `nohup` (SIGHUP ignored) or a runner ignoring SIGTERM passes its
    disposition on, and reviewloop rightly leaves an ignored signal ignored."""
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _gate(child, title: str, answer: str) -> None:
    child.expect_exact(f"{title} — review")
    child.expect_exact(GATE)
    child.sendline(answer)


def _finish(child, repo) -> None:
    _gate(child, "Low-level design", "approve")
    _gate(child, "Tasks", "approve")
    child.expect_exact("Spec written")
    child.expect_exact("requirements: 2 functional, 1 non-functional")
    child.expect_exact("components: 2")
    child.expect_exact("tasks: 5 in 4 wave(s)")
    child.expect_exact("next: reviewloop run next")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    listing = subprocess.run([sys.executable, "-m", "reviewloop", "tasks", "--json"], cwd=repo,
                             capture_output=True, text=True, check=True)
    assert json.loads(listing.stdout)["diagnostics"] == []
    spec = load_spec(repo)  # auto-detected, as `run next` finds it
    assert select.next_task(spec.tasks).id == "T1.1"


def test_spec_new_end_to_end_with_a_revision_of_the_design(repo, bedrock_fake):
    _script(bedrock_fake)
    child = _spawn(repo, "spec", "new", "A todo API", "--name", "todo")
    _gate(child, "Requirements", "approve")
    _gate(child, "High-level design", "feedback")
    child.expect_exact("Feedback:")
    child.sendline("say it is a dict keyed by id")
    child.expect_exact("Revised, as a diff against the previous draft:")
    child.expect_exact("+One module, `todo/store.py`, holding a `TodoStore` backed by a dict")
    child.expect_exact(GATE)
    child.sendline("approve")
    _finish(child, repo)
    revision = next(r for r in bedrock_fake.requests if "say it is a dict keyed by id"
                    in json.dumps(r.body))
    assert drafts.HIGH_LEVEL in json.dumps(revision.body)  # the previous draft went back
    low_level = next(r for r in bedrock_fake.requests
                     if 'Write the \\"Low-level design\\"' in json.dumps(r.body))
    assert "backed by a dict keyed by id" in json.dumps(low_level.body)
    text = (repo / "docs/todo-spec.md").read_text()
    assert f"model: {MODEL}" in text and "gated: each phase approved by a human" in text


def test_kill_9_at_a_gate_then_resume_continues_there(repo, bedrock_fake):
    _script(bedrock_fake, revised=False)
    child = _spawn(repo, "spec", "new", "A todo API", "--name", "todo")
    _gate(child, "Requirements", "approve")
    child.expect_exact("High-level design — review")
    child.expect_exact(GATE)
    asked = len(bedrock_fake.requests)
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert child.signalstatus == signal.SIGKILL

    child = _spawn(repo, "spec", "resume")
    child.expect_exact("High-level design — review")
    child.expect_exact(drafts.HIGH_LEVEL)
    child.expect_exact(GATE)
    assert len(bedrock_fake.requests) == asked  # the draft came from the checkpoint
    child.sendline("approve")
    _finish(child, repo)
    assert "Add a todo" in (repo / "docs/todo-spec.md").read_text()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_stopping_signal_at_a_gate_stops_the_command_and_resume_continues_there(
        repo, bedrock_fake, signum):
    """SIGTERM (`timeout`, a cancelled job) or SIGHUP (the terminal closed) at a prompt stops
    the command, which says so in its exit status (128 + the signal) instead of reading as a
    success; Ctrl-C does the same with 130 (tests/cli/test_asking.py)."""
    _script(bedrock_fake, revised=False)
    child = _spawn(repo, "spec", "new", "A todo API", "--name", "todo")
    _gate(child, "Requirements", "approve")
    child.expect_exact("High-level design — review")
    child.expect_exact(GATE)
    child.kill(signum)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signum, child.before

    child = _spawn(repo, "spec", "resume")
    child.expect_exact("High-level design — review")
    child.expect_exact(GATE)
    child.sendline("approve")
    _finish(child, repo)


def test_stop_at_a_gate_says_how_to_resume(repo, bedrock_fake):
    _script(bedrock_fake, revised=False)
    child = _spawn(repo, "spec", "new", "A todo API", "--name", "todo")
    _gate(child, "Requirements", "stop")
    child.expect_exact("continue with `reviewloop spec resume todo`")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not (repo / "docs/todo-spec.md").exists()


def test_kill_9_while_a_phase_is_drafted_then_resume_drafts_it_again(repo, bedrock_fake):
    from tests.support.bedrock import text

    hld = 'Write the \\"High-level design\\" section'
    bedrock_fake.script("Before requirements are written", ["NONE"])
    bedrock_fake.script('Write the \\"Requirements\\" section', [drafts.REQUIREMENTS])
    bedrock_fake.script(hld, [text("never delivered", delay=60), drafts.HIGH_LEVEL])
    bedrock_fake.script('Write the \\"Low-level design\\" section', [drafts.LOW_LEVEL])
    bedrock_fake.script('Write the \\"Tasks\\" section', [drafts.TASKS])
    child = _spawn(repo, "spec", "new", "A todo API", "--name", "todo")
    _gate(child, "Requirements", "approve")
    deadline = time.monotonic() + 120
    while not _asked(bedrock_fake, hld) and time.monotonic() < deadline:
        time.sleep(0.2)  # the design is being drafted: the fake holds its reply back
    assert _asked(bedrock_fake, hld) == 1
    child.kill(signal.SIGKILL)
    child.close(force=True)

    child = _spawn(repo, "spec", "resume", "todo")
    child.expect_exact("High-level design — review")
    child.expect_exact(drafts.HIGH_LEVEL)
    child.expect_exact(GATE)
    assert _asked(bedrock_fake, hld) == 2  # drafted again, requirements kept
    assert _asked(bedrock_fake, 'Write the \\"Requirements\\" section') == 1
    child.sendline("approve")
    _finish(child, repo)


def _asked(fake, marker: str) -> int:
    return sum(marker in json.dumps(r.body) for r in fake.requests)
