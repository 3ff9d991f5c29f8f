"""The Kiro and Spec Kit hook recipes: each parses, follows its tool's documented format, and
runs a reviewloop command that works."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from tests.support import warm_cli
from tests.support.paths import ROOT
from tests.support.repos import init_repo

RECIPES = ROOT / "recipes"
# Kiro IDE 0.x hook triggers and actions (.kiro/hooks/*.kiro.hook)
KIRO_TRIGGERS = {"fileEdited", "fileCreated", "fileDeleted", "userTriggered", "promptSubmit",
                 "agentStop", "preToolUse", "postToolUse", "preTaskExecution",
                 "postTaskExecution"}
# Kiro IDE 1.0 / CLI 3.0 (.kiro/hooks/<name>.json, "version": "v1")
KIRO_V1_TRIGGERS = {"SessionStart", "Stop", "PreToolUse", "PostToolUse", "PreTaskExec",
                    "PostTaskExec", "UserPromptSubmit", "PostFileCreate", "PostFileSave",
                    "PostFileDelete", "Manual"}
SPECKIT_EVENTS = {f"{when}_{what}" for when in ("before", "after")
                  for what in ("specify", "plan", "tasks", "implement", "analyze", "checklist",
                               "clarify", "constitution", "taskstoissues")}


def _runs_reviewloop(command: str, tmp_path: Path) -> None:
    """The hook's command, run in a clean repository: it must be a working invocation."""
    argv = shlex.split(command)
    assert argv[0] == "reviewloop"
    root = init_repo(tmp_path / "r", {"a.py": "A = 1\n"})
    done = warm_cli.run(argv[1:], root, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing to review" in done.stdout + done.stderr


def test_kiro_ide_hook(tmp_path: Path):
    hook = json.loads((RECIPES / "kiro" / "reviewloop-review.kiro.hook").read_text())
    assert {"enabled", "name", "description", "version", "when", "then"} <= hook.keys()
    assert hook["enabled"] is True
    assert hook["when"]["type"] in KIRO_TRIGGERS
    assert hook["when"]["type"] == "postTaskExecution"  # after each spec task
    assert hook["then"]["type"] == "runCommand"
    assert isinstance(hook["then"]["timeout"], int)
    _runs_reviewloop(hook["then"]["command"], tmp_path)


def test_kiro_v1_hook_file(tmp_path: Path):
    hooks = json.loads((RECIPES / "kiro" / "reviewloop.json").read_text())
    assert hooks["version"] == "v1"
    (hook,) = hooks["hooks"]
    assert re.fullmatch(r"[a-z0-9-]+", hook["name"])
    assert hook["trigger"] in KIRO_V1_TRIGGERS and hook["trigger"] == "PostTaskExec"
    assert hook["action"]["type"] == "command" and hook["enabled"] is True
    _runs_reviewloop(hook["action"]["command"], tmp_path)


def test_spec_kit_extension_manifest():
    folder = RECIPES / "speckit" / "reviewloop"
    manifest = yaml.safe_load((folder / "extension.yml").read_text())
    assert manifest["schema_version"] == "1.0"
    ext = manifest["extension"]
    assert re.fullmatch(r"[a-z0-9-]+", ext["id"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", ext["version"])
    assert {"name", "description", "author", "repository", "license"} <= ext.keys()
    assert len(ext["description"]) < 200
    assert re.fullmatch(r">=\d+\.\d+\.\d+", manifest["requires"]["speckit_version"])
    commands = {c["name"]: c for c in manifest["provides"]["commands"]}
    for name, command in commands.items():
        assert re.fullmatch(rf"speckit\.{ext['id']}\.[a-z0-9-]+", name)
        assert (folder / command["file"]).is_file() and command["description"]
    hooks = manifest["hooks"]
    assert set(hooks) <= SPECKIT_EVENTS and "after_implement" in hooks
    assert hooks["after_implement"]["command"] in commands
    assert hooks["after_implement"]["optional"] is False


def test_spec_kit_command_file_runs_a_real_review_command(tmp_path: Path):
    text = (RECIPES / "speckit" / "reviewloop" / "commands" / "review.md").read_text()
    front, body = text.split("---\n")[1], text.split("---\n", 2)[2]
    assert yaml.safe_load(front)["description"]
    assert "$ARGUMENTS" in body
    (command,) = re.findall(r"^\s+(reviewloop review .+)$", body, flags=re.MULTILINE)
    _runs_reviewloop(command, tmp_path)
