"""Config key paths in error messages (`key "reviewloop.analyzers[0]"`) are not secrets: the
error printer shows them as they are, while a real credential in the same message is still
redacted. (The generic assignment rule read `key "<path>"` as a secret named `key`.)"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import redact
from reviewloop.cli.app import main
from reviewloop.cli.crash import redacted

# key names as agent files and configs spell them: snake, kebab, camel, with a digit or two
SEGMENTS = st.sampled_from(["reviewloop", "analyzers", "include", "exclude", "tools",
                            "severity_floor", "agentFiles", "my-agent", "name2", "hooks",
                            "resources", "mcpServers", "x", "allowedTools", "checks", "v1"])
INDEXES = st.integers(min_value=0, max_value=120_000).map(lambda n: f"[{n}]")


@st.composite
def key_paths(draw: st.DrawFn) -> str:
    path = draw(SEGMENTS)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        path += draw(st.one_of(INDEXES, SEGMENTS.map(lambda s: f".{s}")))
    return path


# how the CLI names a key (review/agent_errors.py, config.py), in each quote style
SHAPES = ['key "{p}": must be a string (got 1)', 'unknown key "{p}"', "key '{p}'",
          'missing required key "{p}"', "key `{p}` is wrong", 'error: x.json:3: key "{p}"']
# credentials each rule layer catches (a vendor token, a generic and a password assignment)
SECRETS = ["ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO2rINUx", 'api_key = "q8Zr3VbX1mKp9TsWn4Ye"',
           'password: "Xk9#mQ2$vL8@pR"', "AKIAZ7QKJ3LMXN4PVB2W"]
SECRET_VALUES = ["ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO2rINUx", "q8Zr3VbX1mKp9TsWn4Ye",
                 "Xk9#mQ2$vL8@pR", "AKIAZ7QKJ3LMXN4PVB2W"]


@settings(derandomize=True, max_examples=150, deadline=None)
@given(key_paths(), st.sampled_from(SHAPES))
def test_a_key_path_is_never_redacted(path, shape):
    message = shape.format(p=path)
    assert redact(message) == message
    assert redacted(message) == message


@settings(derandomize=True, max_examples=60, deadline=None)
@given(key_paths(), st.sampled_from(SHAPES), st.sampled_from(range(len(SECRETS))))
def test_a_real_secret_beside_a_key_path_is_still_redacted(path, shape, which):
    message = f"{shape.format(p=path)} {SECRETS[which]}"
    shown = redacted(message)
    assert SECRET_VALUES[which] not in shown and "[REDACTED" in shown
    assert path in shown


@pytest.mark.parametrize(("key", "at"), [(k, i) for k in ("analyzers", "include", "exclude")
                                         for i in (0, 1, 3)])
def test_validate_shows_the_indexed_key_of_a_wrong_list_item(tmp_path, monkeypatch, capsys,
                                                             key, at):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    items: list[object] = ["bandit" if key == "analyzers" else "src/**"] * at + [1]
    agent = {"name": "review-x", "description": "d", "prompt": "p",
             "reviewloop": {key: items}}
    (tmp_path / "review-x.json").write_text(json.dumps(agent), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["agents", "validate", "review-x.json"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert f'key "reviewloop.{key}[{at}]"' in err and "REDACTED" not in err
