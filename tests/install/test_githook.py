"""The git pre-commit hook: written, kept apart from other hooks, and run by a real commit."""

from __future__ import annotations

import itertools
import random
import shutil
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


# the hook an earlier reviewloop wrote: no end marker, `exec` on its last line
_EARLIER = ("#!/bin/sh\n# reviewloop-managed pre-commit hook\n# Written by `reviewloop "
            "install-hook`; `reviewloop install-hook --uninstall` removes it.\n# Reviews the "
            "staged change and stops the commit on must-fix findings\n# (skip once with `git "
            "commit --no-verify`).\nif command -v reviewloop >/dev/null 2>&1; then\n    exec "
            "reviewloop review --staged --fail-on must_fix\nfi\nexec {python} -P -m reviewloop "
            "review --staged --fail-on must_fix\n")
_USER = (["make lint-check  # USER LINE"], ["echo one >> ran.txt", "", "# my own check"],
         ["set -e", "echo two >> ran.txt"])


def _marked_hooks():
    """(earlier or current version) x (user lines before, after, both) x (update, uninstall),
    plus a fixed-seed sample of user line sets."""
    rng = random.Random(12)
    for version, where, remove in itertools.product(("earlier", "current"),
                                                    ("before", "after", "both"), (False, True)):
        lines = list(rng.choice(_USER))
        yield version, (lines if where != "after" else []), (
            lines if where != "before" else []), remove


@pytest.mark.parametrize(("version", "before", "after", "remove"), list(_marked_hooks()))
def test_a_marked_hook_keeps_the_users_lines_on_update_and_uninstall(
        tmp_path: Path, version: str, before: list[str], after: list[str], remove: bool):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    hooks.mkdir(parents=True, exist_ok=True)
    ours = (_EARLIER.format(python="/old/venv/bin/python") if version == "earlier"
            else githook.hook_script("/old/venv/bin/python"))
    shebang, *block = ours.splitlines()
    (hooks / "pre-commit").write_text("\n".join([shebang, *before, *block, *after]) + "\n")
    result = githook.uninstall(hooks) if remove else githook.install(hooks)
    text = (hooks / "pre-commit").read_text()
    lines = text.splitlines()
    assert result.kept_lines
    # the user's lines, in their order, on their side of reviewloop's block
    assert lines[:1 + len(before)] == [shebang, *before]
    assert lines[len(lines) - len(after):] == after or not after
    assert ("/old/venv" in text) is False
    assert (githook.MARKER in text) is not remove
    assert not list(hooks.glob("pre-commit.reviewloop-backup*"))
    if not remove:  # a second install changes nothing; uninstall then leaves the user's lines
        assert githook.install(hooks).action == "unchanged"
        githook.uninstall(hooks)
        assert (hooks / "pre-commit").read_text().splitlines() == [shebang, *before, *after]


def test_a_commit_runs_the_users_lines_around_reviewloops_block(tmp_path: Path):
    root = _repo(tmp_path)
    python = tmp_path / "fake-python"  # stands for reviewloop's interpreter: passes the commit
    python.write_text("#!/bin/sh\necho reviewloop >> ran.txt\n")
    python.chmod(0o755)
    hooks = hooks_folder(open_repository(root)).path
    githook.install(hooks, script=githook.hook_script(str(python)))
    hook = hooks / "pre-commit"
    shebang, *rest = hook.read_text().splitlines()
    hook.write_text("\n".join([shebang, "echo before >> ran.txt", *rest,
                               "echo after >> ran.txt"]) + "\n")
    (root / "ran.txt").write_text("")
    git(root, "add", "ran.txt")
    done = subprocess.run(["git", "commit", "-qm", "x"], cwd=root, capture_output=True,
                          text=True, timeout=60, env=_path_without_reviewloop())
    assert done.returncode == 0, done.stderr
    assert (root / "ran.txt").read_text().split() == ["before", "reviewloop", "after"]


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_force_never_overwrites_a_backup(tmp_path: Path, count: int):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    hooks.mkdir(parents=True, exist_ok=True)
    foreign = [f"#!/bin/sh\necho HOOK_{n}\n" for n in range(count)]
    for text in foreign:  # another tool re-installs its hook over reviewloop's each time
        (hooks / "pre-commit").write_text(text)
        assert githook.install(hooks, force=True).backup is not None
    kept = sorted(p.read_text() for p in hooks.glob("pre-commit.reviewloop-backup*"))
    assert kept == sorted(foreign)
    assert githook.uninstall(hooks).action == "removed"
    assert (hooks / "pre-commit").read_text() == foreign[-1]  # the newest comes back


def test_a_hooks_folder_that_is_a_file_is_an_input_error(tmp_path: Path):
    hooks = hooks_folder(open_repository(_repo(tmp_path))).path
    if hooks.exists():
        shutil.rmtree(hooks)
    hooks.write_text("hi\n")
    for act in (githook.install, githook.uninstall):
        with pytest.raises(UserInputError, match="hooks folder is a file"):
            act(hooks)
    assert hooks.read_text() == "hi\n"


@pytest.mark.parametrize(("folder", "user_hook"), [(".husky/_", None), (".husky/_", "npm test\n"),
                                                   (".config/husky/_", "npm test\n")])
def test_husky_the_users_hook_is_the_one_written_not_huskys_stub(
        tmp_path: Path, folder: str, user_hook: str | None):
    root = _repo(tmp_path)
    stub = root / folder / "pre-commit"
    stub.parent.mkdir(parents=True)
    stub.write_text('#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
    (stub.parent / "h").write_text("#!/usr/bin/env sh\n")
    if user_hook is not None:
        (stub.parent.parent / "pre-commit").write_text(user_hook)
    git(root, "config", "core.hooksPath", folder)
    hooks = githook.hook_dir(hooks_folder(open_repository(root)).path)
    assert hooks == (root / folder).parent
    if user_hook is not None:
        with pytest.raises(UserInputError) as refused:
            githook.install(hooks)
        assert str(hooks / "pre-commit") in str(refused.value)
    result = githook.install(hooks, force=True)
    assert result.path == (root / folder).parent / "pre-commit"
    assert stub.read_text() == '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n'
    assert (result.backup is None) is (user_hook is None)


def _path_without_reviewloop() -> dict[str, str]:
    import os

    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != bin_dir)
    return {**os.environ, "PATH": path}
