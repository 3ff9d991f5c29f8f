"""Nothing from a run's tree executes on the host (issue #22, class 1): not at the commit,
not while landing, not when the next run starts.

The attack as reproduced on main: the repository keeps its hooks in the tree
(`core.hooksPath .githooks`), the model writes `.githooks/pre-commit` and a test that makes
it executable (the test gate runs it sandboxed, where the worktree is writable), and at the
commit the hook ran outside the sandbox with every credential. Here every hook git knows is
planted that way — in `.githooks`, `.husky`, `.husky/_`, in a folder an `include.path` file
in the tree names, and as a `core.fsmonitor` program — each appending its environment to a
host file. The whole loop runs with canary credentials in its environment, commits, lands,
and starts the next run; the host file must never appear. The planted hooks are reported:
in the hooks gate's summary and as a change that needs a human's approval."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.reports.report import RunSummary
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.hooks import HOOK_NAMES, leaked, leaking_hook, planting, with_canaries
from tests.support.runner import clean_round, runner, start


def run_and_land(project: Path, files: dict[str, str]) -> dict:
    """The whole loop with an implementer that plants `files` (all made executable), approved
    and landed; then what the next run does first. The run's summary."""
    model = ScriptedChatModel()
    planting(model, files, executable=tuple(p for p in files if not p.endswith("config")))
    clean_round(model)
    run = runner(project, model)
    result = start(run, project)
    assert result.status == "awaiting_approval", result.summary
    assert run.resume(result.run_id, "approve").status == "committed"
    checkout = open_repository(project)
    worktree.create(checkout, "next", "reviewloop/next", carry=True)  # post-checkout, fsmonitor
    checkout.working_tree_clean()  # git status: fsmonitor
    return result.summary


def gate(summary: RunSummary | None, name: str) -> tuple[bool, str]:
    assert summary is not None
    return next((passed, text) for gate_name, passed, text in summary.gates
                if gate_name == name)


@pytest.mark.parametrize("folder", [".githooks", ".husky", ".husky/_"])
def test_hooks_planted_in_an_in_tree_hooks_folder_never_run(project: Path, tmp_path: Path,
                                                            monkeypatch, folder: str):
    with_canaries(monkeypatch)
    git(project, "config", "core.hooksPath", folder)
    leak = tmp_path / "leak.txt"

    summary = run_and_land(project, {f"{folder}/{name}": leaking_hook(leak)
                                     for name in HOOK_NAMES})

    assert leaked(leak) == ""
    # landed as written: executable, where git looks for hooks — they had every chance to run
    assert os.access(project / folder / "post-commit", os.X_OK)
    assert git(project, "config", "core.hooksPath").strip() == folder
    passed, text = gate(summary, "hooks")
    assert passed  # the user has no pre-commit hook of their own: the planted one never ran
    assert f"the change writes into your hooks folder {folder}: {folder}/commit-msg" in text
    assert any(f"{folder}/commit-msg" in reason and "needs approval" in reason
               for reason in summary.escalations)  # a human must look, never --yes


def test_a_hooks_path_and_fsmonitor_set_by_an_included_file_in_the_tree_never_run(
        project: Path, tmp_path: Path, monkeypatch):
    with_canaries(monkeypatch)
    (project / "shared.gitconfig").write_text("[core]\n\tautocrlf = false\n")
    git(project, "add", "shared.gitconfig")
    git(project, "commit", "-qm", "team git settings")
    git(project, "config", "include.path", "../shared.gitconfig")  # a common convention
    leak = tmp_path / "leak.txt"
    evil = {f"evil/{name}": leaking_hook(leak) for name in HOOK_NAMES}
    evil["evil/fsmonitor"] = leaking_hook(leak)
    evil["shared.gitconfig"] = "[core]\n\thooksPath = evil\n\tfsmonitor = evil/fsmonitor\n"

    run_and_land(project, evil)

    assert leaked(leak) == ""
    # landed: your git config now names the planted folder and program (command-line -c won)
    config = git(project, "config", "--show-origin", "--get-regexp",
        "^core\\.(hookspath|fsmonitor)")
    assert "shared.gitconfig\tcore.hookspath evil" in config
    assert "core.fsmonitor evil/fsmonitor" in config


def test_an_fsmonitor_program_the_run_plants_never_runs(project: Path, tmp_path: Path,
                                                        monkeypatch):
    with_canaries(monkeypatch)
    git(project, "config", "core.fsmonitor", "tools/fsmonitor")  # a path in the work tree
    leak = tmp_path / "leak.txt"

    run_and_land(project, {"tools/fsmonitor": leaking_hook(leak)})

    assert leaked(leak) == ""
    assert os.access(project / "tools/fsmonitor", os.X_OK)


def test_the_leaking_hook_would_leak_if_git_ran_it(project: Path, tmp_path: Path,
                                                   monkeypatch):
    """The canary check itself works: git run the ordinary way runs the hook on the host."""
    with_canaries(monkeypatch)
    leak = tmp_path / "leak.txt"
    hook = project / ".git/hooks/post-commit"
    hook.write_text(leaking_hook(leak))
    hook.chmod(0o755)

    git(project, "commit", "-q", "--allow-empty", "-m", "plain git")

    assert "AWS_SECRET_ACCESS_KEY=canary-aws-5e1f0c" in leaked(leak)
