"""`run.land = "pr"` in a repository with two Kiro specs whose tasks share ids (every Kiro
spec numbers its tasks from 1): each spec's task gets its own branch and pull request, and
with a branch template that leaves the spec out, the second spec's run refuses to replace
the first one's branch instead of taking over its pull request."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.support.bedrock import BedrockFake
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.loop_cli import clean_reviews, cli, fake_env
from tests.support.repos import NO_GATES, bare_origin

REPO = "octo/tasks"
SPECS = ("alpha", "beta")


def _origin(tmp_path: Path, branch: str | None) -> Path:
    run = '[run]\nland = "pr"\n' + (f'branch = "{branch}"\n' if branch else "")
    files = {f".kiro/specs/{name}/tasks.md": f"# Tasks\n\n- [ ] 1. {name.title()} one\n"
             for name in SPECS}
    return bare_origin(tmp_path, {
        **files, "README.md": "# tasks\n",
        ".reviewloop.toml": f"max_rounds = 1\n\n{NO_GATES}\n[review]\ncache_warm = false\n\n{run}"})


def _implementer(tmp_path: Path) -> Path:
    script = tmp_path / "implement.sh"
    script.write_text(
        '#!/bin/sh\ncat >/dev/null\necho "NAME = \\"$SPECNAME\\"" > "$SPECNAME.py"\n'
        'mkdir -p tests\nprintf "from $SPECNAME import NAME\\n\\n\\ndef test_name():\\n'
        '    assert NAME == \\"$SPECNAME\\"\\n" > "tests/test_$SPECNAME.py"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _run(tmp_path: Path, origin: Path, spec: str, github: GitHubFake, bedrock: BedrockFake):
    work = tmp_path / f"job-{spec}"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWLOOP_", "GITHUB_"))}
    env |= {**fake_env(bedrock), "GITHUB_TOKEN": "ghs_test", "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": REPO, "SPECNAME": spec}
    clean_reviews(bedrock)
    return cli(work, "run", "1", "--spec", f".kiro/specs/{spec}", "--yes", "--implementer",
               f"cmd:sh {_implementer(tmp_path)}", env=env, timeout=300)


def _files(origin: Path, branch: str) -> list[str]:
    return git(origin, "ls-tree", "-r", "--name-only", branch).split()


@pytest.mark.timeout(600)
def test_each_spec_task_gets_its_own_branch_and_pull_request(tmp_path: Path) -> None:
    origin = _origin(tmp_path, None)
    with GitHubFake() as github, BedrockFake() as bedrock:
        done = [_run(tmp_path, origin, spec, github, bedrock) for spec in SPECS]
        pulls = github.pulls_of(REPO)
    assert [d.returncode for d in done] == [0, 0], [d.stderr[-800:] for d in done]
    assert "pull request #1" in done[0].stdout and "pull request #2" in done[1].stdout
    assert sorted(p["head"]["ref"] for p in pulls) == ["reviewloop/alpha/1", "reviewloop/beta/1"]
    for spec in SPECS:
        files = _files(origin, f"reviewloop/{spec}/1")
        assert f"{spec}.py" in files and not {f"{s}.py" for s in SPECS if s != spec} & set(files)
        assert f"tests/test_{spec}.py" in files
        pull = next(p for p in pulls if p["head"]["ref"] == f"reviewloop/{spec}/1")
        assert pull["title"] == f"1: {spec.title()} one"
        assert f"Reviewloop-Spec: .kiro/specs/{spec}/tasks.md" in git(
            origin, "log", "-1", "--format=%B", f"reviewloop/{spec}/1")
    assert github.violations == []


@pytest.mark.timeout(600)
def test_a_template_without_the_spec_refuses_to_take_over_another_specs_branch(
        tmp_path: Path) -> None:
    origin = _origin(tmp_path, "reviewloop/{task}")
    with GitHubFake() as github, BedrockFake() as bedrock:
        first = _run(tmp_path, origin, "alpha", github, bedrock)
        tip = git(origin, "rev-parse", "reviewloop/1").strip()
        second = _run(tmp_path, origin, "beta", github, bedrock)
        pulls = github.pulls_of(REPO)
    assert first.returncode == 0, first.stderr[-800:]
    assert second.returncode == 1
    said = second.stdout + second.stderr
    assert "reviewloop/1 on origin holds task 1 of .kiro/specs/alpha/tasks.md" in said
    assert "not this run's task 1 of .kiro/specs/beta/tasks.md: it is not replaced" in said
    assert '"reviewloop/{spec}/{task}"' in said
    assert git(origin, "rev-parse", "reviewloop/1").strip() == tip  # alpha's work is kept
    assert [(p["number"], p["title"]) for p in pulls] == [(1, "1: Alpha one")]
    assert github.violations == []
