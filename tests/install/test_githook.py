"""The git pre-commit hook: written, kept apart from other hooks, and run by a real commit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.hooks import hooks_folder
from reviewloop.git.repository import open_repository
from reviewloop.install import githook
from tests.support.gitutil import git
from tests.support.repos import init_repo

SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def _repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "r", {"README.md": "x\n"}, branch="work")


def test_install_writes_an_executable_hook_and_is_idempotent(tmp_path: Path):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    first = githook.install(hooks)
    assert first.action == "installed" and first.path == hooks / "pre-commit"
    assert first.path.stat().st_mode & 0o111
    assert githook.MARKER in first.path.read_text()
    assert githook.install(hooks).action == "unchanged"


def test_a_foreign_hook_is_refused_then_kept_as_a_backup(tmp_path: Path):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    hooks.mkdir(parents=True, exist_ok=True)
    foreign = hooks / "pre-commit"
    foreign.write_text("#!/bin/sh\necho mine\n")
    with pytest.raises(UserInputError) as refused:
        githook.install(hooks)
    assert "--force" in str(refused.value) and foreign.read_text() == "#!/bin/sh\necho mine\n"
    forced = githook.install(hooks, force=True)
    assert forced.backup is not None and forced.backup.read_text() == "#!/bin/sh\necho mine\n"
    removed = githook.uninstall(hooks)
    assert removed.action == "removed" and foreign.read_text() == "#!/bin/sh\necho mine\n"


def test_uninstall_never_removes_a_foreign_hook(tmp_path: Path):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\n")
    with pytest.raises(UserInputError):
        githook.uninstall(hooks)
    assert (hooks / "pre-commit").exists()
    assert githook.uninstall(tmp_path / "nowhere").action == "absent"


def test_core_hooks_path_is_respected(tmp_path: Path):
    root = _repo(tmp_path)
    git(root, "config", "core.hooksPath", ".githooks")
    assert hooks_folder(open_repository(root)).path == root / ".githooks"


def test_the_hook_blocks_a_commit_with_a_must_fix_finding(tmp_path: Path):
    root = _repo(tmp_path)
    # a project package named like one of reviewloop's dependencies, at the repository root
    # where the hook runs: it must not be what reviewloop imports
    (root / "click").mkdir()
    (root / "click" / "__init__.py").write_text("raise ImportError('the project's click')\n")
    git(root, "add", "click")
    git(root, "commit", "-qm", "a click of our own")
    # the hook falls back to this interpreter when `reviewloop` is not on PATH
    script = githook.hook_script(sys.executable)
    githook.install(hooks_folder(open_repository(root)).path, script=script)
    (root / "run.py").write_text(SHELL)
    git(root, "add", "run.py")
    blocked = subprocess.run(["git", "commit", "-qm", "shell"], cwd=root, capture_output=True,
                             text=True, timeout=300, env=_path_without_reviewloop())
    assert blocked.returncode != 0
    assert "shell" in (blocked.stdout + blocked.stderr).lower()
    (root / "run.py").write_text("VALUE = 1\n")
    git(root, "add", "run.py")
    ok = subprocess.run(["git", "commit", "-qm", "plain"], cwd=root, capture_output=True,
                        text=True, timeout=300, env=_path_without_reviewloop())
    assert ok.returncode == 0, ok.stdout + ok.stderr


def _path_without_reviewloop() -> dict[str, str]:
    import os

    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != bin_dir)
    return {**os.environ, "PATH": path}
