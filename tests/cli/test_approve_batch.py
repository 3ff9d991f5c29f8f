"""`approve RUN` on a run of a batch decides that run only; `run all` or `approve RUN
--continue` goes on with the batch. Real repositories, a `cmd:` implementer and the loopback
Bedrock fake, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.batch import implementer, reviews
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, cli, fake_env
from tests.support.repos import wave_repo

TASKS = "# Tasks\n\n- [ ] 1. One\n\n- [ ] 2. Two\n\n- [ ] 3. Three\n  - _Depends: 1_\n"


def start_batch(root: Path, tmp_path: Path, fake: BedrockFake) -> list[str]:
    """`run all --approve-at-end` without a terminal: tasks 1 and 2 wait, 3 waits on 1."""
    done = cli(root, "run", "all", "--approve-at-end", "--continue",
               "--implementer", implementer(tmp_path), "--model", MODEL,
               env=fake_env(fake), timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Skipping task 3: it waits on 1 (awaiting approval), not done." in done.stderr
    assert "`reviewloop approve RUN` approves that run only; `reviewloop run all` then " \
           "continues the batch" in " ".join(done.stderr.split())
    waiting = [line.split("Run ", 1)[1].split()[0] for line in done.stdout.splitlines()
               if "is waiting for approval" in line]
    assert len(waiting) == 2, done.stdout
    return waiting


def tasks_of_runs(root: Path) -> list[str]:
    listed = cli(root, "runs", "--json")
    return sorted(r["task_id"] for r in json.loads(listed.stdout)["runs"])


def test_approve_decides_one_batch_run_and_run_all_continues(tmp_path: Path) -> None:
    root = wave_repo(tmp_path, TASKS)
    with BedrockFake() as fake:
        reviews(fake, 4)
        first, _second = start_batch(root, tmp_path, fake)
        calls = len(fake.requests)
        approved = cli(root, "approve", first, env=fake_env(fake), timeout=240)
        assert approved.returncode == 0, approved.stdout + approved.stderr
        after_approve = len(fake.requests)
        # only that run: the other waiting run is still waiting, task 3 was not started
        assert git(root, "log", "--format=%s").splitlines() == ["1: One", "spec"]
        assert tasks_of_runs(root) == ["1", "2"]
        said = " ".join(approved.stdout.split())
        assert f"Run {first} is part of batch" in said and "only this run was decided" in said
        assert f"`reviewloop run all` (or `reviewloop approve {first} --continue`)" in said

        going = cli(root, "run", "all", "--yes", "--implementer", implementer(tmp_path),
                    "--model", MODEL, env=fake_env(fake), timeout=240)

    assert after_approve == calls  # approving reviewed nothing more
    assert going.returncode == 0, going.stdout + going.stderr
    log = git(root, "log", "--format=%s").splitlines()
    assert sorted(log[:2]) == ["2: Two", "3: Three"] and log[2:] == ["1: One", "spec"]
    assert tasks_of_runs(root) == ["1", "2", "3"]  # task 2's waiting run was resumed, not redone
    assert (root / ".kiro/specs/wave/tasks.md").read_text().count("- [x]") == 3


def test_approve_continue_approves_then_goes_on_with_the_batch(tmp_path: Path) -> None:
    root = wave_repo(tmp_path, TASKS)
    with BedrockFake() as fake:
        reviews(fake, 4)
        first, second = start_batch(root, tmp_path, fake)
        going = cli(root, "approve", first, "--continue", env=fake_env(fake), timeout=240)
        # the batch went on as `run all` does: to task 2's waiting run, where it stops
        assert going.returncode == 1, going.stdout + going.stderr
        assert git(root, "log", "--format=%s").splitlines() == ["1: One", "spec"]
        assert "Committed" in going.stdout
        assert f"Run {second} is waiting for approval" in going.stdout
        assert "Batch stopped at task 2" in going.stderr
        assert f"`reviewloop approve {second} --continue` does both" in \
            " ".join(going.stderr.split())
        again = cli(root, "approve", second, "--continue", env=fake_env(fake), timeout=240)

    # task 2 is in and the batch went on to task 3, whose new run waits (no terminal)
    assert again.returncode == 1, again.stdout + again.stderr
    assert git(root, "log", "--format=%s").splitlines() == ["2: Two", "1: One", "spec"]
    assert tasks_of_runs(root) == ["1", "2", "3"]
    assert "Batch stopped at task 3" in again.stderr


def test_approve_continue_on_a_run_outside_a_batch_is_refused(tmp_path: Path) -> None:
    root = wave_repo(tmp_path, TASKS)
    with BedrockFake() as fake:
        reviews(fake, 1)
        waiting = cli(root, "run", "1", "--implementer", implementer(tmp_path), "--model",
                      MODEL, env=fake_env(fake), timeout=240)
    assert waiting.returncode == 1, waiting.stdout + waiting.stderr
    run_id = waiting.stdout.split("Run ", 1)[1].split()[0]
    refused = cli(root, "approve", run_id, "--continue")
    assert refused.returncode == 2
    assert "is not part of a batch" in refused.stderr
    assert f"fix: drop --continue: reviewloop approve {run_id}" in refused.stderr
    assert git(root, "log", "--format=%s") == "spec\n"


def test_approve_help_says_how_a_batch_continues(tmp_path: Path) -> None:
    shown = " ".join(cli(tmp_path, "approve", "--help").stdout.split())
    assert "is approved alone; continue the batch with `reviewloop run all`" in shown
    assert "`reviewloop approve RUN --continue`" in shown
    assert "--continue" in shown and "go on with the batch's other tasks" in shown
