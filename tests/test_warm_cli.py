"""The warm CLI (tests/support/warm_cli.py) behaves as `python -m reviewloop` does: output,
exit status, a kill, the working directory and the environment of each call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.loop_cli import MODEL, REVIEWERS, fake_env, wait_until
from tests.support.repos import init_repo


def cold(args: list[str], cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "reviewloop", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"docs/x-spec.md": "# X\n\n## Tasks\n\n- [ ] 1. Do x\n"},
                     message="spec")


@pytest.mark.parametrize("args", [["--version"], ["tasks", "--json"], ["runs"],
                                  ["review", "--no-such-flag"], ["tasks", "--spec", "nope.md"]])
def test_output_and_exit_status_are_those_of_a_fresh_interpreter(repo: Path, args) -> None:
    warm, fresh = warm_cli.run(args, repo, timeout=120), cold(args, repo)
    assert (warm.returncode, warm.stdout, warm.stderr) == \
        (fresh.returncode, fresh.stdout, fresh.stderr)


def test_each_call_has_its_own_directory_and_environment(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "REVIEWLOOP_CONFIG_PROBE": "x"}
    assert warm_cli.run(["tasks", "--json"], repo, env=env).returncode == 0
    elsewhere = warm_cli.run(["tasks", "--json"], outside, env=env)
    assert elsewhere.returncode == cold(["tasks", "--json"], outside, env).returncode != 0


def test_a_killed_process_reads_minus_nine_and_a_timeout_kills_it(repo: Path) -> None:
    (repo / "a.py").write_text("A = 1\n")  # a change to review
    held = threading.Event()
    with BedrockFake() as fake:
        for name in REVIEWERS:  # every reviewer waits on its answer until the test is done
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []},
                                                    gate=held)] * 2)
        env = {**os.environ, **fake_env(fake)}
        try:
            running = warm_cli.popen(["review", "--model", MODEL], repo, env=env)
            wait_until(lambda: len(fake.calls) >= 1)
            assert running.poll() is None
            running.send_signal(signal.SIGKILL)
            assert running.wait(timeout=60) == -signal.SIGKILL
            with pytest.raises(subprocess.TimeoutExpired):
                warm_cli.run(["review", "--model", MODEL], repo, env=env, timeout=1)
        finally:
            held.set()
