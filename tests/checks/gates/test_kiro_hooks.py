"""A project's Kiro hooks in a run: a command hook runs sandboxed after the implementer
writes a matching file and its failure goes back like a gate's; an agent hook is a note; a
hook file the run itself writes never runs and needs approval; a malformed one stops the run
with exit 2 naming the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.kiro_hooks import KiroHooksGate
from reviewloop.config import Settings
from reviewloop.errors import ConfigError, ExitCode
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.gitutil import git
from tests.support.hooks import CALC
from tests.support.runner import (
    FIXER,
    IMPLEMENTER,
    clean_round,
    ran,
    review,
    round_one,
    runner,
    start,
)

RUFF = f"{sys.executable} -m ruff check --no-cache --isolated calc.py"
UNUSED_IMPORT = "import os\n\n\n" + CALC


def kiro_hook(root: Path, name: str, hook: dict) -> None:
    path = root / ".kiro/hooks" / f"{name}.kiro.hook"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(hook))


def lint_on_save(command: str = RUFF) -> dict:
    return {"enabled": True, "name": "ruff on save", "version": "1",
            "when": {"type": "fileEdited", "patterns": ["*.py"]},
            "then": {"type": "runCommand", "command": command, "timeout": 120}}


def committed(root: Path, message: str = "team hooks") -> None:
    git(root, "add", ".kiro")
    git(root, "commit", "-qm", message)


def asks(model: ScriptedChatModel, marker: str) -> list[str]:
    return [message_text(m) for h in model.history if marker in message_text(h[0]) for m in h]


def implementer_asks(model: ScriptedChatModel) -> list[str]:
    return asks(model, IMPLEMENTER)


def gates_of(result) -> dict[str, tuple[bool, str]]:
    return {name: (passed, summary) for name, passed, summary in result.summary.gates}


def test_a_project_hook_runs_after_generation_and_its_failure_is_fed_back(project: Path):
    kiro_hook(project, "lint", lint_on_save())
    kiro_hook(project, "docs", {
        "name": "docs reminder", "when": {"type": "fileCreated", "patterns": ["*.py"]},
        "then": {"type": "askAgent", "prompt": "Mention every new module in README.md"}})
    committed(project)
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": UNUSED_IMPORT}), "implemented",
        tool_call("write_file", {"path": "calc.py", "content": CALC}), "fixed the import",
    ])
    clean_round(model)

    result = start(runner(project, model), project)

    assert result.status == "awaiting_approval", result.summary
    second_attempt = implementer_asks(model)
    assert any("## kiro-hooks gate: project hook(s) failed: ruff on save "
               "(.kiro/hooks/lint.kiro.hook)" in text and "F401" in text
               and "`os` imported but unused" in text for text in second_attempt)
    passed, summary = gates_of(result)["kiro-hooks"]
    assert passed
    assert summary.startswith("project hook(s) passed: ruff on save "
                              "(.kiro/hooks/lint.kiro.hook)")
    assert ("note from hook docs reminder (asks an agent, not run): Mention every new module "
            "in README.md") in summary
    assert ran(result).passed_tests == 1


def test_a_hook_failing_on_the_fixers_output_goes_back_to_the_fixer(project: Path):
    kiro_hook(project, "lint", lint_on_save())
    committed(project)
    typed = CALC.replace("def add(a, b):", "def add(a: int, b: int) -> int:")
    should_fix = {"severity": "should_fix", "file": "calc.py", "start_line": 1,
                  "end_line": 3, "title": "add has no type hints", "rationale": "public API",
                  "confidence": 0.9}
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC}), "implemented"])
    round_one(model, {"review-maintainability": [should_fix]})
    model.script("agents: ", [review()])  # round 2: the re-reviewers in one call
    model.script(FIXER, [
        tool_call("write_file", {"path": "calc.py", "content": "import os\n\n\n" + typed}),
        "typed add",
        tool_call("write_file", {"path": "calc.py", "content": typed}), "dropped the import",
    ])

    result = start(runner(project, model), project)

    assert result.status == "awaiting_approval", result.summary
    assert any("## kiro-hooks gate: project hook(s) failed: ruff on save" in text
               and "F401" in text for text in asks(model, FIXER))
    assert gates_of(result)["kiro-hooks"][0]
    assert [f.title for f in ran(result).findings_fixed] == ["add has no type hints"]
    assert model.remaining() == 0


def test_the_hook_command_runs_in_the_sandbox(project: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    kiro_hook(project, "escape", lint_on_save(
        f"touch {outside}/escaped; echo touch=$?; test -w calc.py && echo worktree-writable"))
    committed(project)
    gate = KiroHooksGate()
    (project / "calc.py").write_text(CALC)
    ctx = GateContext(root=project, settings=Settings(), changed_files=("calc.py",),
                      diff_text="", branch="work", default_branch="main", phase="implement")

    result = gate.run(ctx)

    assert result.passed, result.output_tail
    assert "touch=1" in result.output_tail and not (outside / "escaped").exists()
    assert "worktree-writable" in result.output_tail


def test_a_hook_file_the_model_writes_never_runs_and_needs_approval(project: Path,
                                                                    tmp_path: Path):
    canary = tmp_path / "ran"
    planted = lint_on_save(f"echo planted > {canary}")
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC}),
        tool_call("write_file", {"path": ".kiro/hooks/mine.kiro.hook",
                                 "content": json.dumps(planted)}),
        "implemented",
    ])
    clean_round(model)

    # unsandboxed, so the canary outside the worktree would be written if the hook ran
    result = start(runner(project, model, sandbox="off"), project)

    assert result.status == "awaiting_approval", result.summary
    assert not canary.exists()
    passed, summary = gates_of(result)["kiro-hooks"]
    assert passed and "the change writes .kiro/hooks/mine.kiro.hook: hook files the run " \
                      "writes never run here and need your approval" in summary
    assert ("needs approval: .kiro/hooks/mine.kiro.hook (hook): adds code that runs at "
            "commit") in result.escalations  # --yes stops here
    [flag] = [e for e in ran(result).ledger.unresolved if e.finding.rule == "hook-change"]
    assert flag.finding.file == ".kiro/hooks/mine.kiro.hook"


def test_a_malformed_hook_file_stops_the_run_with_exit_2_naming_it(project: Path):
    (project / ".kiro/hooks").mkdir(parents=True)
    (project / ".kiro/hooks/broken.kiro.hook").write_text('{"name": "broken", "when": ')
    committed(project)
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC}), "implemented"])

    with pytest.raises(ConfigError) as caught:
        start(runner(project, model), project)

    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.where == ".kiro/hooks/broken.kiro.hook"
    assert "not valid JSON" in str(caught.value)
    # refused before the run began: no model call, no worktree, no run branch
    assert model.history == []
    assert len(git(project, "worktree", "list").splitlines()) == 1
    assert "reviewloop/" not in git(project, "branch", "--list")


def test_the_gate_can_be_turned_off(project: Path):
    ctx = GateContext(root=project, settings=Settings.model_validate(
        {"gates": {"kiro_hooks": False}}), changed_files=("calc.py",), diff_text="",
        branch="work", default_branch="main", phase="implement")

    assert not KiroHooksGate().applies(ctx)
    assert not KiroHooksGate().applies(ctx.__class__(**{**ctx.__dict__, "phase": "review",
                                                        "settings": Settings()}))
