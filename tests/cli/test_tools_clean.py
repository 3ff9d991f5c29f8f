"""`reviewloop tools clean` when not everything can go: a folder this user cannot remove, an
install in progress (its lock held), another `clean` at the same time. Each failure is named
with why, the rest is removed, the exit is 1 — never a traceback — and a tool that was not
removed whole never counts as installed (its folder is moved aside first, and the next
`clean` removes what is left)."""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.cleanup import clean
from reviewloop.checks.analyzers.provision import MARKER, TOOLS, cached
from tests.support.cli_main import run_cli
from tests.support.readonly import SOURCE, read_only, run_unprivileged, writable_again


def seed(root: Path, name: str, version: str | None = None) -> Path:
    """A finished environment of `name` (at its pin, or an older `version`) with a package
    folder inside, as an install leaves it."""
    tool = TOOLS[name]
    folder = root / (tool.folder if version is None else f"{name}-{version}")
    command = tool.command_in(folder)
    command.parent.mkdir(parents=True, exist_ok=True)
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    (folder / "lib" / "pkg").mkdir(parents=True)
    (folder / "lib" / "pkg" / "mod.py").write_text("x = 1\n")
    (folder / MARKER).write_text("{}")
    return folder


NAMES = sorted(TOOLS)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(present=st.sets(st.sampled_from(NAMES), min_size=1), data=st.data())
def test_an_install_in_progress_is_named_and_left_whole_the_rest_removed(
        tmp_path_factory: pytest.TempPathFactory, present: set[str],
        data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("tools")
    busy = data.draw(st.sets(st.sampled_from(sorted(present))))
    for name in present:
        seed(root, name)
    with ExitStack() as held:
        for name in busy:  # another process's install holds the lock (flock is per open)
            handle = held.enter_context((root / f".{TOOLS[name].folder}.lock").open("a+"))
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write("4242")
            handle.flush()
        done = clean((), root)
    # one line per tool another process installs: its folder, not its lock again
    assert done.failed == [] and {p.name for p, _ in done.busy} == {TOOLS[n].folder
                                                                    for n in busy}
    assert all("pid 4242" in why and "tools clean` again" in why for _, why in done.busy)
    assert {p.name for p in done.removed} == {TOOLS[n].folder for n in present - busy}
    for name in present:
        assert (cached(TOOLS[name], root) is not None) == (name in busy)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        n for b in busy for n in (TOOLS[b].folder, f".{TOOLS[b].folder}.lock"))


def _clean_process(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(SOURCE), "REVIEWLOOP_TOOLS_DIR": str(root)}
    return subprocess.Popen([sys.executable, "-m", "reviewloop", "tools", "clean"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_cleans_at_once_remove_everything_once_and_both_succeed(tmp_path: Path) -> None:
    root = tmp_path / "tools"
    for name in NAMES:
        seed(root, name)
        seed(root, name, "0.0.1")
        (root / f".{TOOLS[name].folder}.lock").write_text("")
    runs = [_clean_process(root) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, out + err
        assert "Traceback" not in err and "could not remove" not in err
    removed = [line for out, _ in outputs for line in out.splitlines()
               if line.startswith("removed ")]
    assert len(removed) == len(set(removed)) == 3 * len(NAMES)  # each entry said once
    assert list(root.iterdir()) == []


@pytest.fixture
def tools_root(tmp_path: Path):
    root = tmp_path / "tools"
    yield root
    writable_again(root)


@pytest.mark.parametrize("stuck", ["checkov", "zizmor", "eslint"])
def test_a_folder_that_cannot_be_removed_is_named_and_never_counts_as_installed(
        tools_root: Path, stuck: str) -> None:
    for name in ("checkov", "zizmor", "eslint"):
        seed(tools_root, name)
    read_only(tools_root / TOOLS[stuck].folder / "lib" / "pkg")
    env = {"REVIEWLOOP_TOOLS_DIR": str(tools_root)}
    done = run_unprivileged(tools_root.parent, "tools", "clean", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    # named where it is now, moved aside, with the full path of the file that failed
    folder = TOOLS[stuck].folder
    aside = re.search(rf"^could not remove ({re.escape(str(tools_root))}/\.{re.escape(folder)}"
                      rf"\.removing-[0-9]+): Permission denied: (\S+) \({re.escape(folder)} "
                      r"was moved aside first: it no longer counts as installed\)$",
                      done.stderr, re.MULTILINE)
    assert aside is not None, done.stderr
    assert aside[2] == f"{aside[1]}/lib/pkg/mod.py" and Path(aside[2]).is_file()
    assert "1 could not be removed: fix what is named above" in done.stderr
    assert sorted(line.split()[1] for line in done.stdout.splitlines()) == sorted(
        str(tools_root / TOOLS[n].folder) for n in ("checkov", "zizmor", "eslint") if n != stuck)
    assert all(cached(TOOLS[n], tools_root) is None for n in ("checkov", "zizmor", "eslint"))
    listed = run_unprivileged(tools_root.parent, "tools", "list", env=env)
    assert ".removing-" in listed.stdout and "tools clean` removes it" in listed.stdout
    writable_again(tools_root)
    again = run_unprivileged(tools_root.parent, "tools", "clean", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert list(tools_root.iterdir()) == []


@pytest.mark.parametrize("started", [True, False])  # its folder made yet, or its lock only
def test_an_install_in_progress_is_one_line_and_no_chmod_advice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        started: bool) -> None:
    root = tmp_path / "tools"
    seed(root, "zizmor")
    if started:
        seed(root, "checkov")
    lock = root / f".{TOOLS['checkov'].folder}.lock"
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))
    with lock.open("a+") as handle:  # another process's install (flock is per open)
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("4242")
        handle.flush()
        code, out, err = run_cli(capsys, "tools", "clean")
    assert code == 1, out + err
    held = root / TOOLS["checkov"].folder if started else lock
    assert err.splitlines() == [f"left {held}: another reviewloop process (pid 4242) is "
                                "installing it now; run `reviewloop tools clean` again once "
                                "it is done"]
    assert out.splitlines() == [f"removed {root / TOOLS['zizmor'].folder}"]
