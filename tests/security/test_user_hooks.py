"""The user's own pre-commit hook still judges a run's change — inside the sandbox, as the
hooks gate, in the version the user has (the base commit's for a hooks folder in the tree),
never the run's. Its failure goes back to the implementer like any gate's; with no hook the
gate does nothing; a hook that needs the network stops the run with the fix."""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

import pytest

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.hooks import HookNeedsNetwork, HooksGate
from reviewloop.config import Gates, Settings
from reviewloop.errors import ExitCode
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.gitutil import git
from tests.support.hooks import CALC, CANARIES, with_canaries
from tests.support.listener import Listener
from tests.support.repos import write
from tests.support.runner import IMPLEMENTER, clean_round, runner, start

# Reads the staged calc.py (the throw-away index the gate stages the change in).
NEEDS_DOCSTRING = """#!/bin/sh
git show :calc.py | grep -q '\"\"\"' && exit 0
echo "hook: calc.py needs a docstring" >&2
exit 1
"""
BARE_CALC = "def add(a, b):\n    return a + b\n"
_RUNS = itertools.count(1)


def hook_file(path: Path, text: str, mode: int = 0o755) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def run_gate(root: Path, files: dict[str, str], **settings) -> GateResult:
    """The hooks gate on a new run's worktree whose change writes `files`."""
    run_id = f"r{next(_RUNS)}"
    tree = worktree.create(open_repository(root), run_id, f"reviewloop/{run_id}", carry=False)
    for rel, text in files.items():
        write(Path(tree.path), rel, text)
    ctx = GateContext(root=Path(tree.path), settings=Settings(**settings),
                      changed_files=tuple(sorted(files)), diff_text="", branch="reviewloop/1",
                      default_branch="main", phase="implement")
    return HooksGate().run(ctx)


def implementer_asks(model: ScriptedChatModel) -> list[str]:
    return [message_text(m) for h in model.history
            if IMPLEMENTER in message_text(h[0]) for m in h]


def test_a_failing_hook_goes_back_to_the_implementer_and_a_passing_one_lets_it_commit(
        project: Path):
    hook_file(project / ".git/hooks/pre-commit", NEEDS_DOCSTRING)
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": BARE_CALC}), "implemented",
        tool_call("write_file", {"path": "calc.py", "content": CALC}), "documented",
    ])
    clean_round(model)
    run = runner(project, model)

    result = start(run, project)

    assert result.status == "awaiting_approval", result.summary
    assert any("hooks gate: your pre-commit hook refused the change (exit 1)" in text
               and "hook: calc.py needs a docstring" in text
               for text in implementer_asks(model))
    assert ("hooks", True, "your pre-commit hook passed") in result.summary.gates
    assert run.resume(result.run_id, "approve").status == "committed"
    assert '"""The sum of a and b."""' in git(project, "show", "HEAD:calc.py")


def test_an_in_tree_hook_runs_as_the_base_commit_has_it_not_as_the_run_edits_it(
        project: Path):
    hook_file(project / ".githooks/pre-commit", NEEDS_DOCSTRING)
    git(project, "add", ".githooks")
    git(project, "commit", "-qm", "team hooks")
    git(project, "config", "core.hooksPath", ".githooks")
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": BARE_CALC}),
        tool_call("write_file", {"path": ".githooks/pre-commit", "content": "#!/bin/sh\n"
                                                                            "exit 0\n"}),
        "implemented",
        tool_call("write_file", {"path": "calc.py", "content": CALC}), "documented",
    ])
    clean_round(model)
    run = runner(project, model)

    result = start(run, project)

    assert any("hook: calc.py needs a docstring" in t for t in implementer_asks(model))
    assert ("hooks", True, "your pre-commit hook passed; the change writes into your hooks "
            "folder .githooks: .githooks/pre-commit did not run here — read them before "
            "they run at your own commits") in result.summary.gates


def test_the_hook_runs_sandboxed_without_credentials_network_or_the_host(
        root: Path, tmp_path: Path, monkeypatch):
    with_canaries(monkeypatch)
    outside = tmp_path / "outside"
    outside.mkdir()
    listener = Listener()
    connect = (f"{sys.executable} -c \"import socket\n"
               f"try:\n socket.create_connection(('127.0.0.1', {listener.port}), 5)\n"
               f" print('connected')\n"
               f"except OSError as exc:\n print('blocked:', exc)\"")
    hook_file(root / ".git/hooks/pre-commit",
              f"#!/bin/sh\nenv\ntouch {outside}/escaped; echo touch=$?\n{connect}\n"
              f"echo staged: $(git diff --cached --name-only)\n")
    try:
        result = run_gate(root, {"app.py": "x = 2\n", "feature.py": "f = 1\n"})
    finally:
        listener.close()

    assert result.passed, result.output_tail
    assert "blocked:" in result.output_tail and "connected" not in result.output_tail
    assert listener.accepted == 0
    assert "touch=1" in result.output_tail and not (outside / "escaped").exists()
    assert not any(value in result.output_tail for value in CANARIES.values())
    assert "staged: app.py feature.py" in result.output_tail  # the run's change, staged


def test_a_hook_that_needs_the_network_stops_the_run_with_the_fix(root: Path):
    resolve = f"{sys.executable} -c \"import socket; socket.getaddrinfo('example.com', 443)\""
    hook_file(root / ".git/hooks/pre-commit", f"#!/bin/sh\n{resolve}\n")

    with pytest.raises(HookNeedsNetwork) as caught:
        run_gate(root, {"app.py": "x = 2\n"})

    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "needed the network" in message and "Temporary failure in name resolution" in message
    assert 'sandbox_read = ["~/.cache/pre-commit"]' in message
    assert "sandbox_network = true" in message and "[gates] hooks = false" in message


def test_no_hook_or_a_hook_git_would_not_run_is_nothing_to_do(root: Path):
    assert run_gate(root, {"app.py": "x = 2\n"}).summary == \
        "skipped: no pre-commit hook (.git/hooks)"
    hook_file(root / ".git/hooks/pre-commit", "#!/bin/sh\nexit 1\n", mode=0o644)
    assert run_gate(root, {"app.py": "x = 2\n"}).skipped  # not executable: git skips it too
    off = Settings(gates=Gates(hooks=False))
    ctx = GateContext(root=root, settings=off, changed_files=("app.py",), diff_text="",
                      branch="work", default_branch="main", phase="implement")
    assert not HooksGate().applies(ctx)
    assert not HooksGate().applies(dataclasses.replace(ctx, settings=Settings(),
                                                       phase="review"))


def test_a_husky_dispatcher_runs_the_base_commits_script(root: Path):
    """husky 9: core.hooksPath = .husky/_, a generated (ignored) dispatcher that runs the
    tracked .husky/pre-commit beside it."""
    git(root, "config", "core.hooksPath", ".husky/_")
    hook_file(root / ".husky/pre-commit", "echo husky says no >&2\nexit 1\n", mode=0o644)
    commit_all(root, "husky")
    hook_file(root / ".husky/_/.gitignore", "*\n", mode=0o644)
    hook_file(root / ".husky/_/h", '#!/usr/bin/env sh\nn=$(basename "$0")\n'
                                   's=$(dirname "$(dirname "$0")")/$n\n[ ! -f "$s" ] && exit 0\n'
                                   'sh -e "$s" "$@"\n')
    hook_file(root / ".husky/_/pre-commit", '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')

    result = run_gate(root, {".husky/pre-commit": "exit 0\n", "app.py": "x = 2\n"})

    assert not result.passed and "husky says no" in result.output_tail
    assert "core.hooksPath = .husky/_" in result.output_tail


def test_hooks_outside_the_tree_and_a_tracked_link_to_a_script_run_as_the_user_has_them(
        root: Path, tmp_path: Path):
    shared = hook_file(tmp_path / "global-hooks/pre-commit", "#!/bin/sh\n"
                       "echo from the shared folder; exit 1\n")
    git(root, "config", "core.hooksPath", str(shared.parent))
    assert "from the shared folder" in run_gate(root, {"app.py": "x = 2\n"}).output_tail

    hook_file(root / "scripts/check.sh", "#!/bin/sh\necho base check; exit 1\n")
    (root / ".githooks").mkdir()
    (root / ".githooks/pre-commit").symlink_to("../scripts/check.sh")
    git(root, "config", "--unset", "core.hooksPath")
    commit_all(root, "hook as a link")
    git(root, "config", "core.hooksPath", ".githooks")

    result = run_gate(root, {"scripts/check.sh": "#!/bin/sh\nexit 0\n"})

    assert not result.passed and "base check" in result.output_tail


def test_the_hook_never_sees_reviewloops_own_git_overrides(root: Path):
    """The sandboxed hook is git's hook as usual: no core.hooksPath=/dev/null leaks into it."""
    hook_file(root / ".git/hooks/pre-commit",
              "#!/bin/sh\necho params=$GIT_CONFIG_PARAMETERS; git config core.hooksPath\n"
              "echo index=${GIT_INDEX_FILE:+set}\n")

    result = run_gate(root, {"app.py": "x = 2\n"})

    assert result.passed and "params=\n" in result.output_tail
    assert "/dev/null" not in result.output_tail and "index=set" in result.output_tail
