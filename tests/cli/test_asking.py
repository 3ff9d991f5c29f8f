"""Ctrl-C at a `spec new` question in a real pseudo-terminal ends the command at once with
exit 130, the draft kept; before, `input()` could sit in `read()` until Enter and the
command then ended with exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import warm_cli

pexpect = pytest.importorskip("pexpect")

# each signal at its default whatever the suite was started with (a background job ignores
# SIGINT): Python then installs its own Ctrl-C handler, as at a terminal
_AS_A_TERMINAL_STARTS_IT = (
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
    "    signal.signal(signum, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'reviewloop', *sys.argv[1:]])\n")
GATE = "approve/feedback/stop [approve]: "


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root.resolve()


def _spawn(repo: Path, *args: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWLOOP_MODEL")}
    env.update(NO_COLOR="1", TERM="dumb")
    return pexpect.spawn(sys.executable, ["-c", _AS_A_TERMINAL_STARTS_IT, *args],
                         cwd=str(repo), env=env, encoding="utf-8", timeout=120,
                         dimensions=(60, 200))


def _to_the_gate(child) -> None:
    child.expect_exact(GATE)


def _to_feedback(child) -> None:
    child.expect_exact(GATE)
    child.sendline("feedback")
    child.expect_exact("Feedback: ")


def _to_a_wrong_answer(child) -> None:
    child.expect_exact(GATE)
    child.sendline("maybe")
    child.expect_exact(GATE)


def _to_existing(child) -> None:
    child.expect_exact("revise/fresh/stop [revise]: ")


# every question `spec new` asks at a terminal, reached its own way
QUESTIONS = {"gate": _to_the_gate, "feedback": _to_feedback,
             "asked again": _to_a_wrong_answer, "existing spec": _to_existing}


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_ctrl_c_at_a_question_ends_the_command_at_once_with_130(repo: Path, question: str):
    if question == "existing spec":
        (repo / "docs").mkdir()
        (repo / "docs/add-a-thing-spec.md").write_text("# mine\n")
    child = _spawn(repo, "spec", "new", "add a thing")
    QUESTIONS[question](child)
    child.sendintr()  # the moment the question shows: the race `input()` lost
    child.expect(pexpect.EOF)  # no Enter is ever sent
    child.close()
    assert child.exitstatus == 130, child.before
    assert "interrupted" in child.before
    listing = warm_cli.run(["spec", "resume", "--list"], repo, check=True).stdout
    if question == "existing spec":
        assert (repo / "docs/add-a-thing-spec.md").read_text() == "# mine\n"
        assert listing == ""
    else:
        assert "resume add-a-thing" in " ".join(child.before.split())
        assert "add-a-thing  waiting" in listing  # the draft is kept, not approved
