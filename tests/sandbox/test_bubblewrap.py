"""reviewloop.sandbox.bubblewrap: the settings that choose it and the bwrap command line it builds.
What the walls actually hold is tested by running commands in tests/security/."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.config import load_settings
from reviewloop.errors import ConfigError
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxUnavailable, require, wrap


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
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable, match='sandbox = "off"'):
        wrap(Sandbox(mode="bwrap"), ["true"], cwd=tmp_path, writable=(), env={})
