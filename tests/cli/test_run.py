"""`reviewloop run` end to end: the real CLI in a subprocess, the real ChatBedrockConverse →
boto3 stack against the loopback Bedrock fake, a copy of the example project in real git."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.checkpoints import reviews_saved_in_sqlite
from tests.support.gitutil import git
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    REVIEWERS,
    SPEC,
    clean_reviews,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
    one_call_each,
    wait_until,
)
from tests.support.repos import NO_GATES, init_repo


def test_run_next_manual_yes_commits_exactly_the_task_files(project: Path) -> None:
    git(project, "switch", "-qc", "task-2")
    manual_change(project)
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--yes", env=fake_env(fake))
        requests = list(fake.calls)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Committed" in done.stdout
    # the reviewers in scope, asked in one call
    assert len(requests) == 1 and {r.model_id for r in requests} == {MODEL}
    assert f"agents: {', '.join(CALLED)}\n" in requests[0].system_text()
    shown = git(project, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(shown) == ["docs/todo-api-spec.md", "tests/test_store.py", "todo/store.py"]
    assert "- [x] T2" in (project / SPEC).read_text()
    assert git(project, "status", "--porcelain") == ""


def test_run_on_default_branch_is_refused_with_the_fix(project: Path) -> None:
    manual_change(project)
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual")
    assert done.returncode == 2
    assert "refusing to work on main" in done.stderr
    assert "--branch NAME" in done.stderr


def test_non_interactive_without_yes_waits_then_approve_commits(project: Path) -> None:
    manual_change(project)
    with BedrockFake() as fake:
        clean_reviews(fake)
        waiting = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                      "--model", MODEL, "--branch", "task-2", env=fake_env(fake))
    assert waiting.returncode == 1, waiting.stderr
    run_id = waiting.stdout.split("Run ", 1)[1].split()[0]
    assert f"reviewloop approve {run_id}" in waiting.stdout

    listed = cli(project, "runs")
    assert run_id in listed.stdout and "awaiting approval" in listed.stdout

    approved = cli(project, "approve", run_id)
    assert approved.returncode == 0, approved.stderr
    assert "Committed" in approved.stdout
    assert git(project, "log", "-1", "--format=%B").count(f"Reviewloop-Run: {run_id}") == 1

    again = cli(project, "approve", run_id)
    assert again.returncode == 2
    assert f"run {run_id} is committed, not awaiting approval" in again.stderr


def test_no_credentials_runs_offline_and_says_so(project: Path) -> None:
    manual_change(project)
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--model", MODEL, "--branch", "task-2", "--yes")
    assert "LLM reviewers are OFF (no credentials for" in done.stderr
    strict = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                 "--model", MODEL, "--require-llm")
    assert strict.returncode == 2
    assert "no AWS credentials found for Bedrock" in strict.stderr


def test_killed_during_a_slow_reviewer_resumes_without_repeating_finished_calls(
        project: Path) -> None:
    # one call per reviewer, so that the slow one is the only call left to repeat
    one_call_each(project)
    manual_change(project)
    never = threading.Event()  # the slow reviewer's answer is never sent: it is killed first
    with BedrockFake() as fake:
        env = fake_env(fake)
        for name in REVIEWERS[:-1]:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        fake.script(f"agent: {REVIEWERS[-1]}",
                    [tool_use("submit_findings", {"findings": []}, gate=never)])
        proc = warm_cli.popen(
            ["run", "next", "--spec", SPEC, "--implementer", "manual", "--model", MODEL,
             "--branch", "task-2", "--yes"],
            project, env={**os.environ, **env})
        try:
            # the fast reviewers are saved (infrastructure as skipped); the last one is
            # still "thinking"
            wait_until(lambda: reviews_saved_in_sqlite(project)() == 4)
            assert len(fake.calls) == len(CALLED)
        finally:
            proc.kill()
            proc.wait()
        first = len(fake.calls)
        fake.script(f"agent: {REVIEWERS[-1]}", [tool_use("submit_findings", {"findings": []})])

        resumed = cli(project, "resume", "--yes", env=env)
        again = [r.system_text() for r in fake.calls[first:]]

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(again) == 1 and f"agent: {REVIEWERS[-1]}" in again[0]
    assert git(project, "log", "--format=%s").count("T2:") == 1
    assert git(project, "status", "--porcelain") == ""  # your change landed, nothing else
    assert not list((project / ".reviewloop" / "worktrees").iterdir())


def test_batch_runs_each_task_through_its_own_cycle_in_dependency_order(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "batch", {
        ".kiro/specs/three/tasks.md": "# Tasks\n\n- [ ] 1. First\n\n- [ ] 2. Second\n"
                                      "  - _Depends: 1_\n\n- [ ] 3. Third\n\n"
                                      "-[ ] 4. Fourth, mistyped\n",
        ".reviewloop.toml": NO_GATES}, message="spec")
    agent = tmp_path / "agent.py"
    agent.write_text("import os, pathlib, sys\nsys.stdin.read()\n"
                     "tid = os.environ['REVIEWLOOP_TASK_ID']\n"
                     "pathlib.Path(f'feature_{tid}.py').write_text(f'VALUE = {tid}\\n')\n"
                     "pathlib.Path(f'test_feature_{tid}.py').write_text(\n"
                     "    f'from feature_{tid} import VALUE\\n\\n\\ndef test_value():\\n'\n"
                     "    f'    assert VALUE == {tid}\\n')\n")
    with BedrockFake() as fake:
        for name in REVIEWERS:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})] * 3)
        done = cli(root, "run", "all", "--implementer", f"cmd:{sys.executable} {agent}",
                   "--model", MODEL, "--branch", "batch", "--yes", env=fake_env(fake))
        calls = len(fake.calls)

    assert done.returncode == 0, done.stdout + done.stderr
    subjects = git(root, "log", "--format=%s").splitlines()
    assert subjects[-1] == "spec" and len(subjects) == 4
    order = [s.split(":")[0] for s in reversed(subjects[:-1])]
    assert sorted(order) == ["1", "2", "3"] and order.index("1") < order.index("2")
    for task in "123":
        files = git(root, "show", "--name-only", "--format=", f"HEAD~{3 - order.index(task) - 1}")
        assert sorted(files.split()) == [".kiro/specs/three/tasks.md", f"feature_{task}.py",
                                         f"test_feature_{task}.py"]
    # the reviewers in scope, in one call per task, never one review for several tasks
    assert calls == 3
    assert (root / ".kiro/specs/three/tasks.md").read_text().count("- [x]") == 3
    # the mistyped task is named before any work, never run, never dropped unnoticed
    assert ".kiro/specs/three/tasks.md:10: `-[ ] 4. Fourth, mistyped` looks like a task's " \
        "checkbox" in " ".join(done.stderr.split())


def test_a_protected_path_needs_an_explicit_yes_even_with_yes(project: Path) -> None:
    manual_change(project)
    (project / "db" / "migrations").mkdir(parents=True)
    (project / "db" / "migrations" / "0002_delete.sql").write_text("ALTER TABLE todo;\n")
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "needs approval: touches a protected path: db/migrations/0002_delete.sql" in \
        " ".join(done.stdout.split())
    assert "waiting for approval (escalated: needs your explicit approval)" in done.stdout
    assert git(project, "log", "--format=%s") == "example\n"


def test_an_interactive_terminal_is_asked_and_yes_commits(project: Path) -> None:
    import pty

    manual_change(project)
    with BedrockFake() as fake:
        clean_reviews(fake)
        env = {**os.environ, **fake_env(fake), "COLUMNS": "120"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the CLI on a terminal
            os.chdir(project)
            os.execve(sys.executable, [sys.executable, "-m", "reviewloop", "run", "next",
                                       "--spec", SPEC, "--implementer", "manual", "--model",
                                       MODEL, "--branch", "task-2"], env)
        seen = _read_until(fd, b"Ready to commit?", timeout=120)
        os.write(fd, b"y\n")
        seen += _read_until(fd, b"Committed", timeout=60)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert "T2:" in git(project, "log", "-1", "--format=%s")


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    import select

    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in: {data.decode(errors='replace')[-2000:]}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data += os.read(fd, 4096)
            except OSError:
                break
    return data
