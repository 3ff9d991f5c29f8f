"""Provisioning analyzers into cached environments, offline: a tiny wheel built here stands in
for checkov, installed by the real venv + pip from a local folder with no index."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reviewloop.checks.analyzers import pip_env
from reviewloop.checks.analyzers.cleanup import clean
from reviewloop.checks.analyzers.provision import (
    MARKER,
    TOOLS,
    ProvisionError,
    StillInstalling,
    Tool,
    cached,
    ensure,
    entries,
    install,
    locate,
    stale,
    tools_dir,
)
from tests.support.loop_cli import wait_until

TINY = Tool("tinytool", "1.0", "tinytool==1.0", "tinytool", "a stand-in built by the test")


def build_wheel(folder: Path, name: str = "tinytool", version: str = "1.0") -> Path:
    """A minimal pure-Python wheel with one console script printing its version."""
    files = {
        f"{name}/__init__.py": f"def main():\n    print('{name} {version}')\n",
        f"{name}-{version}.dist-info/METADATA":
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL":
            "Wheel-Version: 1.0\nGenerator: reviewloop-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n",
        f"{name}-{version}.dist-info/entry_points.txt":
            f"[console_scripts]\n{name} = {name}:main\n",
    }
    record = [f"{path},sha256={_digest(text)},{len(text.encode())}"
              for path, text in files.items()]
    record.append(f"{name}-{version}.dist-info/RECORD,,")
    files[f"{name}-{version}.dist-info/RECORD"] = "\n".join(record) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def _digest(text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def local_index(tmp_path, monkeypatch):
    """pip sees only a folder holding the tiny wheel: no index, no network."""
    wheels = tmp_path / "wheels"
    build_wheel(wheels)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_CONSTRAINT", "")
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE", raising=False)
    return wheels


def without_heartbeats(said: list[str]) -> list[str]:
    """What was said but the "still installing" lines a slow (loaded) machine adds."""
    return [line for line in said if not line.startswith("still installing tinytool: ")]


def test_the_tools_folder_honours_the_override_then_xdg_then_home(tmp_path):
    assert tools_dir({"REVIEWLOOP_TOOLS_DIR": str(tmp_path / "t"),
                      "XDG_CACHE_HOME": "/x"}) == tmp_path / "t"
    assert tools_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "reviewloop" / "tools"
    assert tools_dir({}) == Path.home() / ".cache" / "reviewloop" / "tools"


def test_every_pin_is_exact_and_named_after_its_tool():
    for name, tool in TOOLS.items():
        pin = f"@{tool.version}" if tool.npm else f"=={tool.version}"  # npm: + its lockfile
        assert tool.name == name and tool.requirement.endswith(pin)
        assert tool.folder == f"{name}-{tool.version}"


@pytest.mark.parametrize("own_pip", [True, False], ids=["reviewloop's pip", "the env's pip"])
def test_first_use_installs_into_its_own_environment_then_reuses_it(tmp_path, local_index,
                                                                    monkeypatch, own_pip):
    # reviewloop's own pip installs into a virtualenv made without one; where reviewloop's
    # Python has no pip (e.g. a uv tool environment) the virtualenv gets its own
    monkeypatch.setattr(pip_env, "own_pip", lambda: own_pip)
    root = tmp_path / "tools"
    said: list[str] = []

    command = ensure(TINY, root, notify=said.append)

    assert command == root / "tinytool-1.0" / "bin" / "tinytool"
    assert without_heartbeats(said) == [
        (f"installing tinytool 1.0 into {root / 'tinytool-1.0'} (first use, "
         "usually under a minute; later reviews reuse it offline)")]
    run = subprocess.run([str(command)], capture_output=True, text=True, check=True)
    assert run.stdout == "tinytool 1.0\n"
    marker = json.loads((root / "tinytool-1.0" / MARKER).read_text())
    assert marker["requirement"] == "tinytool==1.0" and marker["seconds"] >= 0
    has_pip = any((root / "tinytool-1.0" / "lib").glob("python*/site-packages/pip"))
    assert has_pip is not own_pip
    # the interpreter running reviewloop never sees the tool's packages
    assert subprocess.run(["python", "-c", "import tinytool"], capture_output=True,
                          check=False).returncode != 0

    (local_index / "tinytool-1.0-py3-none-any.whl").unlink()  # nothing left to install from
    before = len(said)
    assert ensure(TINY, root, notify=said.append) == command
    assert install(TINY, root) == command
    assert len(said) == before  # nothing more to say


def test_a_folder_without_its_marker_is_an_unfinished_install_and_is_rebuilt(
        tmp_path, local_index):
    root = tmp_path / "tools"
    broken = root / "tinytool-1.0" / "bin"
    broken.mkdir(parents=True)
    (broken / "tinytool").write_text("#!/bin/sh\necho half-installed\n")

    assert cached(TINY, root) is None
    command = install(TINY, root)  # no whole virtualenv there: built afresh

    assert subprocess.run([str(command)], capture_output=True, text=True,
                          check=True).stdout == "tinytool 1.0\n"


def test_an_interrupted_install_resumes_in_its_virtualenv(tmp_path, local_index):
    """The first attempt dies after the virtualenv was made (here: pip finds nothing to
    install); the second keeps that virtualenv and only runs pip, with the same cache."""
    root = tmp_path / "tools"
    wheel = local_index / "tinytool-1.0-py3-none-any.whl"
    kept = wheel.rename(tmp_path / wheel.name)
    said: list[str] = []
    with pytest.raises(ProvisionError, match="No matching distribution"):
        install(TINY, root, notify=said.append)
    venv = root / "tinytool-1.0"
    python = venv / "bin" / "python"
    made = python.lstat().st_ino
    kept.rename(wheel)

    command = install(TINY, root, notify=said.append)

    assert without_heartbeats(said)[-1].startswith(
        f"resuming the install of tinytool 1.0 into {venv}")
    assert python.lstat().st_ino == made  # the same virtualenv, not a new one
    assert subprocess.run([str(command)], capture_output=True, text=True,
                          check=True).stdout == "tinytool 1.0\n"
    (root / ".pip-cache").mkdir(exist_ok=True)  # where pip keeps downloads from an index
    assert root / ".pip-cache" not in stale(root)  # ... is no stale tool


def test_a_long_install_is_never_silent(tmp_path, local_index):
    said: list[str] = []
    install(TINY, tmp_path / "tools", notify=said.append, beat=0.05)  # 30 s, for a user
    beats = [line for line in said if line.startswith("still installing tinytool: ")]
    assert beats and all(line.endswith("s (usually under a minute)") for line in beats)


def _hold(lock: Path) -> subprocess.Popen[str]:
    """Another process holding the install lock (writing its pid in it, as an installer
    does) until a line is written to its stdin."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys\n"
         f"h = open({str(lock)!r}, 'a+'); fcntl.flock(h, fcntl.LOCK_EX)\n"
         "h.seek(0); h.truncate(); h.write(str(os.getpid())); h.flush()\n"
         "print('held', flush=True); sys.stdin.readline()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder



class _Said:
    """What an installer said (`lines`, heard through `hear`); `waiting` is set once it says
    it waits for another process."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.waiting = threading.Event()

    def hear(self, text: str) -> None:
        self.lines.append(text)
        if text.startswith("waiting for"):
            self.waiting.set()


def test_a_second_installer_says_whom_it_waits_for(tmp_path, local_index):
    """One process holds the lock (it is installing); another asks for the same tool: it
    names the holder's pid, then waits, and finds the finished install."""
    root = tmp_path / "tools"
    root.mkdir()
    holder = _hold(root / ".tinytool-1.0.lock")
    said = _Said()

    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(install, TINY, root, notify=said.hear)
        assert said.waiting.wait(timeout=120), said.lines
        holder.stdin.write("\n")  # the holder finishes without installing: the waiter does
        holder.stdin.flush()
        command = second.result(timeout=300)
    holder.wait()
    assert said.lines[0] == (f"waiting for another reviewloop process (pid {holder.pid}) that "
                             "is installing tinytool 1.0")
    assert command == root / "tinytool-1.0" / "bin" / "tinytool"


def test_a_review_waits_at_most_its_limit_then_the_install_goes_on_alone(tmp_path, local_index):
    """With a wait of 0 the review is told at once that the tool is still installing; the
    background installer finishes on its own and the next review finds it cached."""
    root = tmp_path / "tools"
    said: list[str] = []
    with pytest.raises(StillInstalling) as caught:
        ensure(TINY, root, notify=said.append, wait=0)
    assert str(caught.value).startswith("not run: still installing tinytool 1.0 (past the "
                                        "review's 0s wait; it goes on in the background")
    wait_until(lambda: cached(TINY, root) is not None)
    log_text = (root / "tinytool-1.0.log").read_text()
    assert log_text.startswith(f"installing tinytool 1.0 into {root / 'tinytool-1.0'}")
    assert ensure(TINY, root, notify=said.append, wait=0) == cached(TINY, root)


def test_a_review_that_can_wait_passes_on_the_installer_s_lines(tmp_path, local_index):
    root = tmp_path / "tools"
    said: list[str] = []
    command = ensure(TINY, root, notify=said.append, wait=300)
    assert command == cached(TINY, root)
    assert without_heartbeats(said) == [
        f"installing tinytool 1.0 into {root / 'tinytool-1.0'} (first use, "
        "usually under a minute; later reviews reuse it offline)"]


def test_an_impossible_install_names_the_reason_and_the_fix(tmp_path, local_index):
    missing = Tool("not-there", "9.9", "not-there==9.9", "not-there", "absent from the index")

    with pytest.raises(ProvisionError) as caught:
        install(missing, tmp_path / "tools")

    text = str(caught.value)
    assert text.startswith("cannot install not-there: `pip install not-there==9.9` exited with 1")
    assert "No matching distribution" in text
    assert text.endswith("fix: run `reviewloop tools install not-there` where PyPI is "
                         "reachable (pip's index settings apply)")
    assert not (tmp_path / "tools" / "not-there-9.9" / MARKER).exists()  # never counted done


def test_offline_mode_never_installs(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(ProvisionError, match=r"tinytool 1\.0 is not cached in .* and "
                       r"REVIEWLOOP_TOOLS_OFFLINE is set; fix: run `reviewloop tools install "
                       r"tinytool` where PyPI is reachable"):
        ensure(TINY, tmp_path / "tools")
    assert not (tmp_path / "tools").exists()


def test_a_tool_on_path_is_used_when_none_is_cached(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    own = bin_dir / "tinytool"
    own.write_text("#!/bin/sh\n")
    own.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))

    assert locate(TINY, tmp_path / "tools") == own
    assert ensure(TINY, tmp_path / "tools", notify=pytest.fail) == own


def test_list_stale_and_clean(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    root = tmp_path / "tools"
    for folder in (TOOLS["zizmor"].folder, "zizmor-0.1.0", "checkov-1.0.0"):
        (root / folder / "bin").mkdir(parents=True)
    ziz = TOOLS["zizmor"]
    (root / ziz.folder / "bin" / "zizmor").write_text("binary")
    (root / ziz.folder / MARKER).write_text("{}")
    (root / f".{ziz.folder}.lock").write_text("")
    (root / "zizmor-0.1.0" / MARKER).write_text("{}")  # an older pin, finished
    (root / "checkov-1.0.0" / ".venv-ready").write_text("")  # an older pin, unfinished

    status = {e.name: e.status for e in entries(root)}
    assert status == {"checkov": "absent", "hadolint": "absent", "zizmor": "cached",
                      "shellcheck": "absent", "eslint": "absent", "cdk-nag": "absent"}
    assert stale(root) == [root / "checkov-1.0.0", root / "zizmor-0.1.0"]

    assert clean(("zizmor",), root).removed == [root / "zizmor-0.1.0", root / ziz.folder,
                                                root / f".{ziz.folder}.lock"]
    assert [p.name for p in root.iterdir()] == ["checkov-1.0.0"]
    assert clean((), root).removed == [root / "checkov-1.0.0"] and list(root.iterdir()) == []
    assert clean((), tmp_path / "never-made").removed == []


def test_two_reviews_installing_at_once_build_one_environment(tmp_path, local_index):
    root = tmp_path / "tools"
    with ThreadPoolExecutor(max_workers=2) as pool:
        commands = list(pool.map(lambda _: install(TINY, root), range(2)))

    assert commands[0] == commands[1] == root / "tinytool-1.0" / "bin" / "tinytool"
    assert sorted(p.name for p in root.iterdir()) == [".tinytool-1.0.lock", "tinytool-1.0"]
    assert subprocess.run([str(commands[0])], capture_output=True, text=True,
                          check=True).stdout == "tinytool 1.0\n"


def test_one_review_s_threads_join_one_installer_and_each_line_is_said_once(
        tmp_path, local_index):
    """Three analyzers of one review need the tool at once while another process holds the
    install lock: one background installer, "waiting for another reviewloop process" and
    "installing" said once each (were 6 and 3: one installer per thread, each relaying the
    shared log)."""
    root = tmp_path / "tools"
    root.mkdir()
    holder = _hold(root / ".tinytool-1.0.lock")
    said = _Said()
    start = threading.Barrier(3)

    def analyzer(_: int) -> Path:
        start.wait()
        return ensure(TINY, root, notify=said.hear, wait=300)

    with ThreadPoolExecutor(max_workers=3) as pool:
        commands = [pool.submit(analyzer, n) for n in range(3)]
        assert said.waiting.wait(timeout=120), said.lines
        holder.stdin.write("\n")  # the holder gives up the lock without installing
        holder.stdin.flush()
        found = {c.result(timeout=300) for c in commands}
    holder.wait()
    assert found == {root / "tinytool-1.0" / "bin" / "tinytool"}
    assert without_heartbeats(said.lines) == [
        f"waiting for another reviewloop process (pid {holder.pid}) that is installing "
        "tinytool 1.0",
        f"installing tinytool 1.0 into {root / 'tinytool-1.0'} (first use, usually under a "
        "minute; later reviews reuse it offline)"]


@pytest.mark.parametrize(("tool", "kind"), [(t, k) for t in sorted(TOOLS)
                                            for k in ("file", "link", "link to a folder")])
def test_clean_leaves_a_users_entry_named_like_a_pin_folder(tmp_path, tool, kind):
    """Only folders reviewloop made go: a file, or a link, that carries today's pin folder's
    name is the user's (`tools clean NAME` removed it)."""
    root = tmp_path / "tools"
    root.mkdir()
    entry = root / TOOLS[tool].folder
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    if kind == "file":
        entry.write_text("my notes\n")
    else:
        entry.symlink_to(elsewhere if kind == "link to a folder" else tmp_path / "notes")
    assert clean((tool,), root).removed == [] and clean((), root).removed == []
    assert entry.is_symlink() or entry.read_text() == "my notes\n"
    assert elsewhere.is_dir()
