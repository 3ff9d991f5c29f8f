"""Reviewer tool grants are applied: an agent file that grants only `fs_read` is offered only
`fs_read` (and the tool it answers with), seen in the tool specs of the requests the loopback
Bedrock fake recorded from a real `reviewloop run`; an unknown tool name is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewloop.errors import AgentDefinitionError
from reviewloop.review.definitions import load_agents
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import (  # noqa: F401 - shared helpers and fixtures
    MODEL,
    REPO,
    SPEC,
    clean_reviews,
    cli,
    fake_env,
    manual_change,
    project,
)


def agent_file(root: Path, tools: list[str]) -> Path:
    data = json.loads((REPO / "agents" / "review-security.json").read_text())
    data["tools"] = tools
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "agents" / "prompts", folder / "prompts", dirs_exist_ok=True)
    path = folder / "review-security.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def test_a_reviewer_granted_only_fs_read_is_offered_only_fs_read(project: Path) -> None:
    agent_file(project, ["fs_read"])
    git(project, "add", ".")
    git(project, "commit", "-qm", "security reviewer reads files only")
    manual_change(project)
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
        requests = list(fake.calls)
    assert done.returncode == 0, done.stdout + done.stderr
    offered = {name: r.tool_names() for r in requests
               for name in ("review-security", "review-performance")
               if f"agent: {name}" in json.dumps(r.body)}
    assert offered == {
        "review-security": ["fs_read", "submit_findings"],
        "review-performance": ["fs_read", "code", "grep", "glob", "submit_findings"]}


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
