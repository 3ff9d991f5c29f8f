"""Reviewer tool grants are applied, seen in the requests the loopback Bedrock fake recorded:
in `reviewloop review` an agent file that grants only `fs_read` is offered only `fs_read`
(and the tool it answers with); in a run, where a fixer may follow, every call of the round
carries one tool list (the fixer's included, so the fixer reads the reviewers' cached
prefix) and the reviewer may still use only `fs_read`: any other tool answers "refused" and
does nothing. An unknown tool name is refused when the agent file is loaded."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reviewloop.errors import AgentDefinitionError
from reviewloop.review.definitions import load_agents
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    REPO,
    SPEC,
    clean_reviews,
    cli,
    fake_env,
    make_example,
    manual_change,
)

ROUND_TOOLS = ["fs_read", "list_dir", "glob", "grep", "code", "write_file", "edit_file",
               "run_command", "done", "submit_findings"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_example(tmp_path)


def agent_file(root: Path, tools: list[str]) -> Path:
    data = json.loads((REPO / "agents" / "review-security.json").read_text())
    data["tools"] = tools
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "agents" / "prompts", folder / "prompts", dirs_exist_ok=True)
    path = folder / "review-security.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def offered(requests) -> dict[str, list[str]]:
    """The tools each reviewer's calls were offered: its own call's (security's, with tools
    of its own, is asked alone), or those of the call asking it with others (round 1 gives
    each one's persona under `## NAME`)."""
    return {name: r.tool_names() for r in requests
            for name in ("review-security", "review-performance")
            if f"agent: {name}" in json.dumps(r.body) or f"## {name}\\n" in json.dumps(r.body)}


def test_a_reviewer_granted_only_fs_read_is_offered_only_fs_read(project: Path) -> None:
    agent_file(project, ["fs_read"])
    git(project, "add", ".")
    git(project, "commit", "-qm", "security reviewer reads files only")
    manual_change(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = warm_cli.run(["review", "--model", MODEL, "--format", "json"], project,
                            env={**env, **fake_env(fake)}, timeout=240)
        requests = list(fake.calls)
    assert done.returncode == 0, done.stdout + done.stderr
    assert offered(requests) == {
        "review-security": ["fs_read", "submit_findings"],
        "review-performance": ["fs_read", "code", "grep", "glob", "submit_findings"]}


def test_in_a_run_the_round_shares_its_tools_and_a_reviewer_uses_only_its_grants(
        project: Path) -> None:
    agent_file(project, ["fs_read"])
    git(project, "add", ".")
    git(project, "commit", "-qm", "security reviewer reads files only")
    manual_change(project)
    with BedrockFake() as fake:
        fake.script("agent: review-security", [
            tool_use("edit_file", {"path": "todo/store.py", "old": "def describe",
                                   "new": "def hijacked"}),
            tool_use("code", {"path": "todo/store.py"}),
            tool_use("submit_findings", {"findings": []})])
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
        requests = list(fake.calls)
    assert done.returncode == 0, done.stdout + done.stderr
    assert offered(requests) == {"review-security": ROUND_TOOLS,
                                 "review-performance": ROUND_TOOLS}
    security = [r for r in requests if "agent: review-security" in json.dumps(r.body)]
    answers = json.dumps(security[-1].body["messages"])
    refusal = "is not one of the tools of reviewer review-security (yours: fs_read)"
    assert f"refused: edit_file {refusal}" in answers
    assert f"refused: code {refusal}" in answers
    assert "hijacked" not in git(project, "show", "task-2:todo/store.py")


def test_an_unknown_tool_name_names_the_agent_file_and_key(tmp_path: Path) -> None:
    path = agent_file(tmp_path, ["fs_read", "fs_raed"])
    with pytest.raises(AgentDefinitionError) as caught:
        load_agents(tmp_path)
    error = caught.value
    assert error.where == f"{path}:5"
    assert 'key "tools[1]": unknown tool "fs_raed"' in str(error)
    assert error.fix == 'did you mean "fs_read"?'


def test_a_name_far_from_any_tool_lists_what_may_be_granted(tmp_path: Path) -> None:
    agent_file(tmp_path, ["telepathy"])
    with pytest.raises(AgentDefinitionError) as caught:
        load_agents(tmp_path)
    assert caught.value.fix == ('a reviewer may be granted fs_read, code, grep, glob '
                                '(or "*" for all four)')
