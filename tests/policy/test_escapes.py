"""The command policy's escape checks: options that run another program, paths outside the
worktree or to a sensitive file, modules from the repository. A first filter; the sandbox
(tests/security/) is the boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.policy.commands import CommandPolicy


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    (folder / "src" / "pkg").mkdir(parents=True)
    (folder / "leak.py").write_text("print(1)\n")
    (folder / "src" / "pkg" / "__main__.py").write_text("print(1)\n")
    return folder


REFUSED = [
    ("make --eval 'x:=1' test", "make --eval is not allowed"),
    ("make --eval=x test", "make --eval is not allowed"),
    ("make -E x test", "make -E is not allowed"),
    ("make -f /tmp/evil.mk", "make -f is not allowed"),
    ("make test SHELL=/tmp/evil", "make SHELL is not allowed"),
    ("GIT_EXTERNAL_DIFF=./x.sh git diff", "setting GIT_EXTERNAL_DIFF"),
    ("PAGER=./x git log", "setting PAGER"),
    ("LD_PRELOAD=./x.so pytest", "setting LD_PRELOAD"),
    ("git -c core.pager=./x log", "git -c is not allowed"),
    ("git --exec-path=/tmp log", "git --exec-path is not allowed"),
    ("git diff --output=/tmp/x", "git --output is not allowed"),
    ("git log -p --output=out.txt", "git --output is not allowed"),
    ("git diff --no-index /etc/passwd README.md", "git --no-index is not allowed"),
    ("git diff --ext-diff", "git --ext-diff is not allowed"),
    ("git show HEAD:.env", "may hold secrets"),
    ("git log -p -- config/.env.production", "may hold secrets"),
    ("git show HEAD:deploy/id_ed25519", "may hold secrets"),
    ("python -m base64 /etc/passwd", "outside the repository"),
    ("python -m base64 ~/.ssh/id_rsa", "home directory"),
    ("python -m base64 ../outside/secret.txt", "outside the repository"),
    ("pytest --basetemp=/tmp/elsewhere", "outside the repository"),
    ("pytest --basetemp ../up", "outside the repository"),
    ("python -m leak", "runs a module from the repository"),
    ("python3 -m pkg", "runs a module from the repository"),
]
ALLOWED = [
    "pytest -q tests",
    "pytest --basetemp=.tmp/pytest",
    "python -m pytest -x",
    "python -m pytest > /dev/null",
    "PYTHONPATH=src pytest -q",
    "git diff --stat",
    "git log --oneline -5",
    "git show HEAD:src/app.py",
    "make test",
    "make -j4 test",
    "go test ./...",
    "npm run build -- --mode=production",
]


@pytest.mark.parametrize(("command", "reason"), REFUSED)
def test_escapes_are_refused(root: Path, command: str, reason: str):
    refusal = CommandPolicy().check(command, root=root)
    assert refusal is not None and reason in refusal, refusal


@pytest.mark.parametrize("command", ALLOWED)
def test_ordinary_commands_still_pass(root: Path, command: str):
    assert CommandPolicy().check(command, root=root) is None


def test_the_escape_checks_hold_with_an_empty_allow_list(root: Path):
    anything = CommandPolicy(allow=())
    assert anything.check("cat notes.txt", root=root) is None
    assert "outside the repository" in anything.check("cat /etc/passwd", root=root)
    assert "may hold secrets" in anything.check("cat .env", root=root)


def test_without_a_root_only_path_independent_checks_apply():
    policy = CommandPolicy(allow=())
    assert policy.check("cat /etc/passwd") is None  # the sandbox still hides what matters
    assert "may hold secrets" in policy.check("cat .env")
    assert "make --eval" in policy.check("make --eval x")
