"""Issue 11 through the real CLI: runs in worktrees against the loopback Bedrock fake — a
declined task never reaches a commit, two runs at once, kill -9 while committing or
landing, `runs` and `clean`, and a done task left alone."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.batch import (  # noqa: F401 - shared helpers and fixtures
    AGENT,
    implementer,
    reviews,
)
from tests.support.bedrock import BedrockFake
from tests.support.crash import crash_env, killed_mark
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    cli,
    fake_env,
    make_example,
    wait_until,
)
from tests.support.repos import branch_repo, user_edits, user_view, wave_repo


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return make_example(tmp_path)


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    return branch_repo(tmp_path / "batch", {
        ".kiro/specs/four/tasks.md": "# Tasks\n\n- [ ] 1. First\n\n- [ ] 2. Second\n\n"
                                     "- [ ] 3. Third\n  - _Depends: 2_\n\n- [ ] 4. Fourth\n",
        ".reviewloop.toml": f'[gates]\nbuild = []\ntest = ["{sys.executable} -m pytest -q -p '
                            'no:cacheprovider"]\nmax_retries = 0\n',
        "README.md": "# batch\n"}, branch="work", base_message="spec")


def test_run_all_continue_keeps_a_declined_task_out_of_every_commit(batch: Path,
                                                                    tmp_path: Path):
    before = user_edits(batch)
    with BedrockFake() as fake:
        reviews(fake, 3)
        env = {**fake_env(fake), "AGENT_BROKEN": "2"}
        done = cli(batch, "run", "all", "--implementer", implementer(tmp_path), "--model",
                   MODEL, "--yes", "--continue", env=env)
        pending = done.stdout.split("Run ", 1)[1].split()[0]
        rejected = cli(batch, "reject", pending, env=env)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "Skipping task 3: it waits on 2" in done.stderr
    assert rejected.returncode == 0, rejected.stderr
    kept = f".reviewloop/worktrees/{pending}"
    assert kept in " ".join(rejected.stdout.split()) and "reviewloop clean" in rejected.stdout
    assert "your checkout was not touched" in rejected.stdout
    log = git(batch, "log", "-p", "--format=%s")
    assert "feature_2" not in log and "'2'" not in log  # no byte of task 2 in any commit
    assert git(batch, "log", "--format=%s").splitlines() == ["4: Fourth", "1: First", "spec"]
    for rev, task in (("HEAD", "4"), ("HEAD~1", "1")):
        files = git(batch, "show", "--name-only", "--format=", rev).split()
        assert sorted(files) == [".kiro/specs/four/tasks.md", f"feature_{task}.py",
                                 f"tests/test_feature_{task}.py"]
    assert user_view(batch) == before
    assert (batch / kept / "feature_2.py").exists()

    listed = cli(batch, "runs")
    assert f"{pending}: {kept}" in listed.stdout and "kept" in listed.stdout
    assert "1 worktree(s) of finished runs are kept: `reviewloop clean`" in listed.stdout
    cleaned = cli(batch, "clean")
    assert cleaned.returncode == 0 and kept in cleaned.stdout
    assert not (batch / kept).exists()
    assert git(batch, "worktree", "list").count("\n") == 1
    assert user_view(batch) == before


def test_two_runs_at_once_both_commit_and_a_user_edit_during_review_changes_nothing(
        example: Path, tmp_path: Path):
    git(example, "switch", "-qc", "work")
    agent = implementer(tmp_path)
    held = threading.Event()  # the reviews wait until the user's edit is made
    with BedrockFake() as fake:
        reviews(fake, 2, gate=held)
        env = {**os.environ, **fake_env(fake)}
        procs = [warm_cli.popen(
            ["run", task, "--spec", SPEC, "--implementer", agent, "--model", MODEL, "--yes"],
            example, env=env) for task in ("T2", "T4")]
        try:
            wait_until(lambda: len(fake.calls) >= 2)  # reviews under way (not cache warm-ups)
            before = user_edits(example)
            store = example / "todo" / "store.py"
            store.write_text(store.read_text() + "\n# my edit during the review\n")
            before = user_view(example)
        finally:
            held.set()
        outputs = [p.communicate(timeout=300) for p in procs]

    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, out + err
    subjects = git(example, "log", "--format=%s").splitlines()
    assert sorted(s.split(":")[0] for s in subjects[:2]) == ["T2", "T4"]
    for rev in ("HEAD", "HEAD~1"):
        task = git(example, "log", "-1", "--format=%s", rev).split(":")[0]
        files = git(example, "show", "--name-only", "--format=", rev).split()
        assert sorted(files) == ["docs/todo-api-spec.md", f"feature_{task}.py",
                                 f"tests/test_feature_{task}.py"]
    spec = (example / SPEC).read_text()
    assert "- [x] T2" in spec and "- [x] T4" in spec
    # README, STAGED.md, scratch.txt and store.py as you left them
    assert user_view(example) == before


@pytest.mark.parametrize("point", [("* commit --quiet -m *", "after"),
                                   ("* update-ref -m reviewloop: land refs/heads/work *",
                                    "after")],
                         ids=["after-the-run-commit", "after-the-branch-moved"])
def test_kill9_while_committing_or_landing_then_resume(example: Path, tmp_path: Path,
                                                       point: tuple[str, str]):
    git(example, "switch", "-qc", "work")
    before = user_edits(example)
    with BedrockFake() as fake:
        reviews(fake, 1)
        env = {**fake_env(fake), **crash_env(tmp_path, *point)}
        killed = cli(example, "run", "T2", "--spec", SPEC, "--implementer",
                     implementer(tmp_path), "--model", MODEL, "--yes", env=env)
        assert killed.returncode == -9 and killed_mark(tmp_path).exists(), \
            killed.stdout + killed.stderr
        listed = cli(example, "runs")
        resumed = cli(example, "resume", "--yes", env=env)

    assert "stopped without finishing (its process is gone)" in listed.stdout
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert git(example, "log", "--format=%s").count("T2:") == 1
    files = git(example, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == ["docs/todo-api-spec.md", "feature_T2.py",
                             "tests/test_feature_T2.py"]
    assert "- [x] T2" in (example / SPEC).read_text()
    assert user_view(example) == before  # nothing staged in reverse, your edits as they were
    assert not list((example / ".reviewloop/worktrees").iterdir())


def test_run_on_a_done_task_says_so_unless_forced(example: Path):
    git(example, "switch", "-qc", "work")
    done = cli(example, "run", "T1", "--spec", SPEC, "--implementer", "manual")
    assert done.returncode == 0, done.stderr
    assert "Task T1" in done.stdout and "already done" in done.stdout
    assert "--force" in done.stdout
    assert not (example / ".reviewloop/worktrees").exists()


def test_land_pr_checks_the_remote_and_the_token_before_any_work(example: Path,
                                                                   tmp_path: Path):
    with (example / ".reviewloop.toml").open("a") as config:
        config.write('\n[run]\nland = "pr"\n')
    no_token = {"GITHUB_TOKEN": "", "GH_TOKEN": "", "GITHUB_REPOSITORY": ""}
    refused = cli(example, "run", "T2", "--spec", SPEC, "--implementer", "manual",
                  env=no_token)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "has no remote 'origin'" in refused.stderr
    assert "git remote add origin https://github.com/OWNER/NAME.git" in refused.stderr

    git(example, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    refused = cli(example, "run", "T2", "--spec", SPEC, "--implementer", "manual",
                  env=no_token)
    assert refused.returncode == 2
    assert "cannot tell the GitHub repository from the remote URL" in refused.stderr
    assert "GITHUB_REPOSITORY=OWNER/NAME" in refused.stderr

    git(example, "remote", "set-url", "origin", "git@github.com:octo/todo.git")
    refused = cli(example, "run", "T2", "--spec", SPEC, "--implementer", "manual",
                  env=no_token)
    assert refused.returncode == 2
    assert 'run.land = "pr" opens a pull request on octo/todo: no GitHub token' in \
        refused.stderr
    assert not (example / ".reviewloop/worktrees").exists()  # refused before any work


def test_branch_only_leaves_your_branch_alone(example: Path, tmp_path: Path):
    git(example, "switch", "-qc", "work")
    head = git(example, "rev-parse", "HEAD")
    with (example / ".reviewloop.toml").open("a") as config:
        config.write('\n[run]\nland = "branch-only"\nbranch = "rl/{task}"\n')
    with BedrockFake() as fake:
        reviews(fake, 1)
        done = cli(example, "run", "T2", "--spec", SPEC, "--implementer",
                   implementer(tmp_path), "--model", MODEL, "--yes", env=fake_env(fake))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on branch rl/T2" in done.stdout and "git merge rl/T2" in done.stdout
    assert git(example, "rev-parse", "HEAD") == head
    assert git(example, "log", "-1", "--format=%s", "rl/T2").startswith("T2:")
    assert git(example, "status", "--porcelain") == " M .reviewloop.toml\n"  # only yours


def test_jobs_runs_a_wave_side_by_side_and_lands_in_spec_order(tmp_path: Path):
    root = wave_repo(tmp_path, "# Tasks\n\n- [ ] 1. One\n\n- [ ] 2. Two\n\n- [ ] 3. Three\n\n"
                               "- [ ] 4. Four\n  - _Depends: 1_\n")
    held = threading.Event()
    with BedrockFake() as fake:
        reviews(fake, 4, gate=held)
        batch = warm_cli.popen(
            ["run", "all", "--jobs", "3", "--implementer", implementer(tmp_path), "--model",
             MODEL, "--yes"],
            root, env={**os.environ, **fake_env(fake)})
        try:
            # side by side: every reply is held, so run one after another the first task's
            # review would wait for ever and a second task's would never reach the model
            wait_until(lambda: len({t for r in fake.requests for t in "123"
                                   if f"feature_{t}.py" in str(r.body)}) >= 2)
        finally:
            held.set()
        out, err = batch.communicate(timeout=300)

    assert batch.returncode == 0, out + err
    assert git(root, "log", "--format=%s").splitlines() == [
        "4: Four", "3: Three", "2: Two", "1: One", "spec"]
    for rev, task in (("HEAD", "4"), ("HEAD~1", "3"), ("HEAD~2", "2"), ("HEAD~3", "1")):
        files = git(root, "show", "--name-only", "--format=", rev).split()
        assert sorted(files) == [".kiro/specs/wave/tasks.md", f"feature_{task}.py",
                                 f"tests/test_feature_{task}.py"]
    assert (root / ".kiro/specs/wave/tasks.md").read_text().count("- [x]") == 4
    assert git(root, "status", "--porcelain") == ""


def test_approve_at_end_runs_the_wave_first_and_skips_what_waits_on_it(tmp_path: Path):
    root = wave_repo(tmp_path, "# Tasks\n\n- [ ] 1. One\n\n- [ ] 2. Two\n\n- [ ] 3. Three\n"
                               "  - _Depends: 1_\n")
    with BedrockFake() as fake:
        reviews(fake, 3)
        done = cli(root, "run", "all", "--jobs", "2", "--approve-at-end", "--continue",
                   "--implementer", implementer(tmp_path), "--model", MODEL,
                   env=fake_env(fake), timeout=240)
        assert done.returncode == 1, done.stdout + done.stderr
        assert git(root, "log", "--format=%s") == "spec\n"  # nothing landed without a yes
        waiting = [line.split("Run ", 1)[1].split()[0] for line in done.stdout.splitlines()
                   if "is waiting for approval" in line]
        # each approval decides its run only (tests/cli/test_approve_batch.py)
        approved = [cli(root, "approve", run_id, env=fake_env(fake), timeout=240)
                    for run_id in waiting]

    assert "Skipping task 3: it waits on 1 (awaiting approval), not done." in done.stderr
    assert len(waiting) == 2
    assert all("Committed" in a.stdout for a in approved), [a.stdout for a in approved]
    assert git(root, "log", "--format=%s").splitlines() == ["2: Two", "1: One", "spec"]
