"""Preflight through the real command line, in real temp folders: each missing prerequisite
of `run`, `resume` and `approve` is one message with a `fix:` line, exit 2, and nothing on
disk changed — no `.reviewloop/`, no worktree, no branch. `runs` and `clean` likewise outside
a repository; `runs --json` validates against its schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    fake_env,
    make_example,
    manual_change,
)
from tests.support.paths import ROOT
from tests.support.repos import init_repo

SCHEMA = json.loads((ROOT / "docs" / "schemas" / "runs.schema.json").read_text())


def tree(folder: Path) -> set[str]:
    """Every path under `folder`, .git included: what a failed preflight must not change."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def isolated_git(tmp_path: Path, identity: bool = True) -> dict[str, str]:
    """An environment whose git reads only a config file of ours (no machine identity)."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Tester\n\temail = t@example.com\n" if identity
                      else "[user]\n\tuseConfigOnly = true\n")
    env = {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1",
           "HOME": str(tmp_path / "home")}
    return env


def assert_refused(done, *expected: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr
    assert "fix: " in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def assert_untouched(root: Path, before: set[str], branches: str) -> None:
    assert tree(root) == before
    assert not (root / ".reviewloop").exists()
    assert git(root, "branch", "--format=%(refname:short)") == branches
    assert len(git(root, "worktree", "list").splitlines()) == 1


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_example(tmp_path)
    git(root, "switch", "-qc", "work")
    manual_change(root)
    return root


def test_outside_a_git_repository_every_command_is_refused_creating_nothing(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "tasks.md").write_text("# Tasks\n\n- [ ] 1. One\n")
    for args in (["run", "next", "--implementer", "manual"], ["resume"], ["approve", "r-1"],
                 ["runs"], ["runs", "--json"], ["clean"]):
        done = cli(folder, *args)
        assert_refused(done, "not a git repository", "git init")
        assert sorted(p.name for p in folder.iterdir()) == ["tasks.md"], args


def test_no_git_identity_is_refused_before_any_work(project, tmp_path, monkeypatch):
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "task-2", env=isolated_git(tmp_path, identity=False))
    assert_refused(done, "git has no author identity", "the run's commit would fail",
                   'git config --global user.name "Your Name"')
    assert_untouched(project, before, branches)


def test_a_repository_without_a_commit_is_refused(tmp_path):
    root = init_repo(tmp_path / "empty")
    (root / "tasks.md").write_text("# Tasks\n\n- [ ] 1. One\n")
    before = tree(root)
    done = cli(root, "run", "next", "--implementer", "manual", "--branch", "w")
    assert_refused(done, "the repository has no commit yet", "git commit")
    assert tree(root) == before


def test_an_unresolvable_default_branch_is_refused(tmp_path):
    root = tmp_path / "trunk"
    root.mkdir()
    (root / "tasks.md").write_text("# Tasks\n\n- [ ] 1. One\n")
    env = isolated_git(tmp_path)
    for args in (["init", "-q", "-b", "trunk"], ["add", "."], ["commit", "-qm", "spec"],
                 ["switch", "-qc", "work"]):
        git_env(root, env, *args)
    before, branches = tree(root), git(root, "branch", "--format=%(refname:short)")
    done = cli(root, "run", "next", "--implementer", "manual", env=env)
    assert_refused(done, "the default branch cannot be resolved: no branch 'main'",
                   "git config init.defaultBranch")
    assert_untouched(root, before, branches)
    # once named, the same command gets past preflight (and is refused on the branch rule
    # only when it works on the default branch — here it does not)
    git_env(root, env, "config", "init.defaultBranch", "trunk")
    ok = cli(root, "run", "next", "--implementer", "manual", env=env)
    assert "default branch cannot be resolved" not in ok.stderr


def git_env(root: Path, env: dict[str, str], *args: str) -> None:
    import subprocess

    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **env})


def no_aws(tmp_path: Path) -> dict[str, str]:
    return {"AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(autouse=True)
def _no_aws_in_environment(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)


def test_the_llm_implementer_without_credentials_or_model_is_refused(project, tmp_path):
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--model", MODEL, "--branch", "t2",
               env=no_aws(tmp_path))
    assert_refused(done, "no AWS credentials found for Bedrock", "AWS_PROFILE")
    assert_untouched(project, before, branches)
    bare = cli(project, "run", "next", "--spec", SPEC, "--branch", "t2", env=no_aws(tmp_path))
    assert_refused(bare, "the llm implementer needs a model and credentials",
                   "--implementer manual")
    assert_untouched(project, before, branches)


def test_a_machine_without_a_working_sandbox_is_refused_before_any_model_call(project):
    """The test gate would fail in the sandbox after the implementer spent model calls:
    preflight probes the sandbox first, and `demo` refuses before running its loop."""
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    with BedrockFake() as fake:
        done = cli(project, "run", "next", "--spec", SPEC, "--model", MODEL, "--branch", "t2",
                   env={**fake_env(fake), "REVIEWLOOP_BWRAP": str(project / "missing-bwrap")})
        assert fake.requests == []
    assert_refused(done, "no working sandbox for the commands reviewloop runs",
                   "missing-bwrap is not an executable file", 'sandbox = "off"')
    assert_untouched(project, before, branches)
    demo = cli(project, "demo", "--dir", str(project.parent / "demo"),
               env={"REVIEWLOOP_BWRAP": str(project / "missing-bwrap")})
    assert_refused(demo, "no working sandbox")
    assert not (project.parent / "demo" / ".reviewloop").exists()


def test_the_default_branch_rule_is_checked_before_anything_is_created(tmp_path):
    root = make_example(tmp_path)
    manual_change(root)
    before = tree(root)
    done = cli(root, "run", "next", "--spec", SPEC, "--implementer", "manual")
    assert_refused(done, "refusing to work on main", "--branch NAME")
    assert_untouched(root, before, "main\n")


def test_an_unwritable_checkpoint_store_is_refused(project):
    (project / ".reviewloop").write_text("not a folder\n")
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "t2")
    assert_refused(done, ".reviewloop is a file, not reviewloop's state folder")
    assert tree(project) == before
    assert git(project, "branch", "--format=%(refname:short)") == branches


def test_land_pr_without_a_token_is_refused_before_the_state_folder_exists(project):
    with (project / ".reviewloop.toml").open("a") as config:
        config.write('\n[run]\nland = "pr"\n')
    git(project, "remote", "add", "origin", "git@github.com:octo/todo.git")
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual", "--branch",
               "t2", env={"GITHUB_TOKEN": "", "GH_TOKEN": "", "GITHUB_REPOSITORY": ""})
    assert done.returncode == 2, done.stdout + done.stderr  # its fix is in the message
    assert 'run.land = "pr" opens a pull request on octo/todo: no GitHub token: set ' \
        "GITHUB_TOKEN" in done.stderr
    assert_untouched(project, before, branches)  # no .reviewloop/, no branch t2


def test_a_damaged_checkpoint_file_is_refused_before_any_worktree_or_row(project):
    (project / ".reviewloop").mkdir()
    (project / ".reviewloop" / "checkpoints.sqlite").write_bytes(b"not sqlite\0" * 100)
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "t2")
    assert_refused(done, "checkpoints.sqlite is damaged: file is not a database",
                   "reviewloop runs --repair", "damaged-<time>")
    assert tree(project) == before  # no registry, worktree or branch
    assert git(project, "branch", "--format=%(refname:short)") == branches


def test_a_broken_agent_file_is_refused_before_any_worktree(project):
    (project / ".kiro" / "agents").mkdir(parents=True)
    (project / ".kiro/agents/review-security.json").write_text('{"name": "review-security", '
                                                               '"prompt": 5}')
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "t2")
    assert_refused(done, "review-security.json")
    assert_untouched(project, before, branches)


def test_an_unreachable_checkpoint_database_is_refused(project):
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    url = "postgresql://nobody@127.0.0.1:9/none"  # discard port: nothing listens
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "t2", env={"REVIEWLOOP_CHECKPOINT_URL": url})
    assert_refused(done, "cannot reach the checkpoint database",
                   "check the URL, the server and the credentials")
    assert_untouched(project, before, branches)


def test_resume_and_approve_before_any_run_create_nothing(project):
    before, branches = tree(project), git(project, "branch", "--format=%(refname:short)")
    for args in (["resume"], ["approve", "task-1"], ["reject", "task-1"]):
        assert_refused(cli(project, *args), "no runs in this repository yet",
                       "reviewloop run TASK|next|all")
    assert_untouched(project, before, branches)


def test_runs_in_a_repository_without_runs_creates_nothing(project):
    before = tree(project)
    listed = cli(project, "runs")
    assert listed.returncode == 0, listed.stderr
    assert "No runs yet" in listed.stdout
    as_json = cli(project, "runs", "--json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["runs"] == []
    cleaned = cli(project, "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert tree(project) == before


def test_runs_json_validates_for_waiting_and_committed_runs(project):
    with BedrockFake() as fake:
        clean_reviews(fake)
        waiting = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                      "--model", MODEL, "--branch", "task-2", env=fake_env(fake))
    assert waiting.returncode == 1, waiting.stdout + waiting.stderr
    run_id = waiting.stdout.split("Run ", 1)[1].split()[0]

    first = json.loads(cli(project, "runs", "--json").stdout)
    jsonschema.validate(first, SCHEMA)
    [row] = first["runs"]
    assert (row["run_id"], row["task_id"], row["status"]) == (run_id, "T2", "awaiting_approval")
    assert row["implementer"] == "manual" and row["commit"] is None
    assert row["worktree"]["state"] == "in use"
    assert row["worktree"]["path"].startswith(".reviewloop/worktrees/")

    approved = cli(project, "approve", run_id)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    second = json.loads(cli(project, "runs", "--json").stdout)
    jsonschema.validate(second, SCHEMA)
    [row] = second["runs"]
    assert row["status"] == "committed"
    assert row["commit"] == git(project, "rev-parse", "HEAD").strip()
