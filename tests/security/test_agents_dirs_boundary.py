"""`agents_dirs` is confined to the repository and the user's config folder, as a `file://`
prompt is: a folder (or a file in one) that resolves outside is refused before any file in
it is read.

Before: a cloned repository's `.reviewloop.toml` with `agents_dirs = [".."]` loaded every
`*.json` above the checkout as a reviewer, and a JSON file there that was not an agent was
quoted in the error (its key names). Generated: ways out (`..`, deeper `../..`, an absolute
path, a folder or a file linked out) and ways that stay in (a folder of the repository, a
link inside it, the user's config folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.errors import AgentDefinitionError
from reviewloop.review.definitions import load_agents
from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

SECRET_KEY = "some_private_setting"
AGENT = {"name": "review-outside", "description": "x", "prompt": "OUTSIDE-PROMPT-CANARY"}
OUT = ("parent", "grandparent", "absolute", "linked folder", "linked file")
IN = ("folder", "linked inside", "user config")


def _outside(base: Path) -> Path:
    """The folder above the repository, holding an agent and a file that is not one."""
    (base / "agent.json").write_text(json.dumps(AGENT))
    (base / "settings.json").write_text(json.dumps({"name": "x", "prompt": "y",
                                                    SECRET_KEY: "z"}))
    return base


def _way_out(root: Path, way: str) -> Path:
    base = _outside(root.parent)
    if way == "parent":
        return Path("..")
    if way == "grandparent":
        (root / "sub").mkdir()
        return Path("sub/../..")
    if way == "absolute":
        return base
    if way == "linked folder":
        (root / "agents").symlink_to(base)
        return Path("agents")
    (root / "agents").mkdir()
    (root / "agents" / "sec.json").symlink_to(base / "settings.json")
    return Path("agents")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(way=st.sampled_from(OUT), config=st.booleans())
def test_a_folder_outside_the_repository_is_refused(tmp_path_factory, monkeypatch, way,
                                                     config):
    base = tmp_path_factory.mktemp("above")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg"))
    root = base / "repo"
    root.mkdir()
    folder = _way_out(root, way)
    with pytest.raises(AgentDefinitionError) as raised:
        load_agents(root, [folder])
    text = f"{raised.value} {raised.value.where} {raised.value.fix}"
    assert "agents_dirs" in text and "outside the repository" in text
    assert SECRET_KEY not in text and "OUTSIDE-PROMPT-CANARY" not in text


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(way=st.sampled_from(IN))
def test_a_folder_inside_the_repository_or_the_user_config_loads(tmp_path_factory,
                                                                  monkeypatch, way):
    base = tmp_path_factory.mktemp("in")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg"))
    root = base / "repo"
    real = (base / "xdg" / "reviewloop" / "agents") if way == "user config" \
        else root / "team"
    real.mkdir(parents=True)
    (real / "mine.json").write_text(json.dumps({"name": "review-mine", "prompt": "Mine."}))
    folder = real
    if way == "linked inside":
        (root / "agents").symlink_to(real)
        folder = Path("agents")
    assert "review-mine" in load_agents(root, [folder]).names


def test_review_refuses_an_outside_folder_with_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    _outside(tmp_path)
    root = init_repo(tmp_path / "repo", {".reviewloop.toml": 'agents_dirs = [".."]\n',
                                         "a.py": "x = 1\n"})
    monkeypatch.chdir(root)
    code, _, err = run_cli(capsys, "agents")
    assert code == 2 and "agents_dirs" in err and "fix:" in err
    assert "review-outside" not in err and SECRET_KEY not in err


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(("agent.json", "settings.json")), relative=st.booleans())
def test_a_kiro_agent_file_linked_out_is_refused(tmp_path_factory, monkeypatch, target,
                                                 relative):
    """`.kiro/agents/x.json` linking out of the repository: refused, its content unread."""
    base = tmp_path_factory.mktemp("kiro")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg"))
    _outside(base)
    root = base / "repo"
    (root / ".kiro" / "agents").mkdir(parents=True)
    (root / ".kiro" / "agents" / "review-x.json").symlink_to(
        Path("../../..") / target if relative else base / target)
    with pytest.raises(AgentDefinitionError) as raised:
        load_agents(root)
    text = f"{raised.value} {raised.value.where} {raised.value.fix}"
    assert ".kiro/agents" in text and "outside the repository" in text
    assert SECRET_KEY not in text and "OUTSIDE-PROMPT-CANARY" not in text
