"""YAML alias bombs: a few hundred bytes of nested aliases must fail at once with an error
naming the file and line, never expand (the unguarded path cost 1 GB and 100 s)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from reviewloop.config import Settings
from reviewloop.errors import ConfigError
from reviewloop.policy.governance import load_policy
from reviewloop.spec.steering import read_steering

# 9 ** 8 (43 million) strings once expanded, in about 300 bytes.
LEVELS = "abcdefgh"
BOMB_LINES = ['a: &a ["x","x","x","x","x","x","x","x","x"]'] + [
    f"{new}: &{new} [{','.join([f'*{old}'] * 9)}]" for old, new in pairwise(LEVELS)]


def bomb(tail: str) -> str:
    return "\n".join(BOMB_LINES) + "\n" + tail


def test_the_bomb_is_small() -> None:
    assert len(bomb("security:\n  sensitiveFiles: *h\n").encode()) < 330


def test_an_alias_bomb_in_kiro_config_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".kiro").mkdir()
    (tmp_path / ".kiro" / "config.yaml").write_text(bomb("security:\n  sensitiveFiles: *h\n"))

    with pytest.raises(ConfigError) as caught:
        load_policy(tmp_path, Settings())

    assert str(caught.value) == (
        ".kiro/config.yaml:2: not valid YAML (aliases (*a) are not allowed in reviewloop's "
        "YAML files; write the value out)\n"
        "  fix: correct the YAML syntax at line 2 of .kiro/config.yaml")


def test_a_single_alias_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / ".kiro").mkdir()
    (tmp_path / ".kiro" / "config.yaml").write_text(
        'base: &globs [".env"]\nsecurity:\n  sensitiveFiles: *globs\n')
    with pytest.raises(ConfigError, match=r"config.yaml:3: .*aliases \(\*globs\)"):
        load_policy(tmp_path, Settings())


def test_an_alias_bomb_in_steering_front_matter_is_a_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "tech.md"
    path.write_text("---\n" + bomb("inclusion: *h\n") + "---\nUse type hints.\n")

    steering = read_steering(path)

    assert steering.body == "Use type hints.\n"
    assert steering.diagnostic is not None
    assert steering.diagnostic.line == 3
    assert "aliases (*a) are not allowed" in steering.diagnostic.message
