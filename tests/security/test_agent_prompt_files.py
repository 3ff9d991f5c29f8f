"""Hostile agent definitions: a `file://` prompt must not read a file outside the repository
or the user's config folder into a model's prompt, directly or through a symlink."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.errors import AgentDefinitionError
from reviewloop.review.definitions import load_agents


def kiro_agent(repo: Path, prompt: str) -> Path:
    folder = repo / ".kiro" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "review-security.json"
    path.write_text(json.dumps({"name": "review-security", "prompt": prompt}, indent=2))
    return path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "repo"
    root.mkdir()
    return root


def refused(repo: Path) -> str:
    with pytest.raises(AgentDefinitionError) as caught:
        load_agents(repo)
    return str(caught.value)


def test_proc_self_environ_is_refused(repo: Path) -> None:
    path = kiro_agent(repo, "file:///proc/self/environ")
    message = refused(repo)
    assert message.startswith(f'{path}:3: key "prompt": the prompt file /proc/self/environ '
                              "resolves outside the repository")
    assert "fix: move the prompt into" in message and str(repo) in message


def test_a_key_in_the_home_folder_is_refused(repo: Path, tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY\n")
    monkeypatch.setenv("HOME", str(home))
    kiro_agent(repo, "file://~/.ssh/id_rsa")
    message = refused(repo)
    assert 'key "prompt"' in message and f"{home}/.ssh/id_rsa" in message
    assert "CANARY" not in message


def test_a_symlink_in_the_repository_pointing_out_is_refused(repo: Path, tmp_path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("CANARY outside text")
    (repo / ".kiro" / "agents").mkdir(parents=True)
    (repo / ".kiro" / "agents" / "prompt.md").symlink_to(outside)
    kiro_agent(repo, "file://prompt.md")
    message = refused(repo)
    assert "(through a symlink)" in message and str(outside) in message
    assert "CANARY" not in message


def test_a_secret_file_inside_the_repository_is_refused(repo: Path) -> None:
    (repo / ".env").write_text("AWS_SECRET_ACCESS_KEY=CANARY\n")
    kiro_agent(repo, "file://../../.env")
    message = refused(repo)
    assert "is a sensitive file" in message and "CANARY" not in message


def test_prompts_inside_the_repository_and_the_user_config_folder_load(
        repo: Path, tmp_path: Path) -> None:
    (repo / "docs").mkdir()
    (repo / "docs" / "security.md").write_text("Look for injection.\n")
    kiro_agent(repo, "file://../../docs/security.md")
    assert load_agents(repo).agents[0].prompt == "Look for injection.\n"

    mine = tmp_path / "xdg" / "reviewloop"
    mine.mkdir(parents=True)
    (mine / "security.md").write_text("My own checklist.\n")
    kiro_agent(repo, f"file://{mine / 'security.md'}")
    assert load_agents(repo).agents[0].prompt == "My own checklist.\n"
