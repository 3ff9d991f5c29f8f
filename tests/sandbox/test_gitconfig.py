"""reviewloop.sandbox.gitconfig: the identity-only git config sandboxed commands read, and
where bubblewrap shows it. What a command inside actually sees is tested in
tests/security/test_sandbox_walls.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.sandbox.bubblewrap import Sandbox, wrap
from reviewloop.sandbox.gitconfig import identity_entries, render

# Anything git can hold in a one-line value: quotes, backslashes, comment and section marks.
VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40) \
    .filter(lambda v: v == v.strip())


def read_back(path: Path, key: str) -> str:
    return subprocess.run(["git", "config", "--file", str(path), "--get", key],
                          capture_output=True, text=True, check=True).stdout.rstrip("\n")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=VALUES, email=VALUES)
def test_any_identity_reads_back_as_it_was(tmp_path: Path, name: str, email: str):
    path = tmp_path / "config"
    path.write_text(render([("user.name", name), ("user.email", email)]), encoding="utf-8")
    assert (read_back(path, "user.name"), read_back(path, "user.email")) == (name, email)


def test_only_the_identity_and_safe_directories_are_taken(tmp_path: Path, monkeypatch):
    config = tmp_path / "global"
    config.write_text("[user]\n\tname = A\n\temail = a@example.com\n\tsigningkey = ABC\n"
                      "[credential]\n\thelper = store\n[safe]\n\tdirectory = /one\n"
                      "\tdirectory = /two\n[url \"https://t0ken@x/\"]\n\tinsteadOf = https://x/\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.delenv("GIT_AUTHOR_NAME", raising=False)
    assert identity_entries(tmp_path) == [("user.name", "A"), ("user.email", "a@example.com"),
                                          ("safe.directory", "/one"),
                                          ("safe.directory", "/two")]


def test_the_config_is_shown_in_the_empty_home_and_named_for_git(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "config"
    argv = wrap(Sandbox(mode="bwrap"), ["true"], cwd=tmp_path / "work", writable=(),
                env={"HOME": str(home)}, gitconfig=config)
    text = " ".join(argv)
    shown = home.resolve() / ".gitconfig"
    assert text.index(f"--tmpfs {home.resolve()}") < text.index(f"--ro-bind {config} {shown}")
    assert f"--setenv GIT_CONFIG_GLOBAL {shown}" in text
    assert "--setenv GIT_CONFIG_NOSYSTEM 1" in text


def test_without_a_home_folder_it_lives_in_the_private_tmp(tmp_path: Path):
    argv = wrap(Sandbox(mode="bwrap"), ["true"], cwd=tmp_path, writable=(),
                env={"HOME": "/nonexistent-home"}, gitconfig=tmp_path / "c")
    text = " ".join(argv)
    assert f"--ro-bind {tmp_path / 'c'} /tmp/.gitconfig" in text
    assert "--setenv GIT_CONFIG_GLOBAL /tmp/.gitconfig" in text
    no_file = " ".join(wrap(Sandbox(mode="bwrap"), ["true"], cwd=tmp_path, writable=(),
                            env={}))
    assert "--setenv GIT_CONFIG_GLOBAL /dev/null" in no_file
