"""Settings layers, precedence and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from reviewloop.config import Settings, load_settings, model_for, project_root
from reviewloop.errors import ConfigError, ExitCode


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_configured(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings == Settings()
    assert settings.max_rounds == 3
    assert settings.model is None


def test_precedence_flags_over_env_over_file(tmp_path):
    write(tmp_path / ".reviewloop.toml",
        'model = "from-file"\nmax_rounds = 2\nregion = "eu-west-1"\n')
    env = {"REVIEWLOOP_MODEL": "from-env", "REVIEWLOOP_MAX_ROUNDS": "4"}
    settings = load_settings(tmp_path, environ=env, flags={"model": "from-flag", "spec": None})
    assert settings.model == "from-flag"
    assert settings.max_rounds == 4
    assert settings.region == "eu-west-1"


def test_pyproject_section_is_read_when_no_reviewloop_toml(tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.reviewloop]\nmax_rounds = 5\n')
    assert load_settings(tmp_path, environ={}).max_rounds == 5


def test_reviewloop_toml_wins_over_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.reviewloop]\nmax_rounds = 5\n")
    write(tmp_path / ".reviewloop.toml", "max_rounds = 2\n")
    assert load_settings(tmp_path, environ={}).max_rounds == 2


def test_nested_keys_merge_across_layers(tmp_path):
    write(tmp_path / ".reviewloop.toml", '[models]\nreview = "file-review"\nfix = "file-fix"\n')
    settings = load_settings(tmp_path, environ={"REVIEWLOOP_MODEL_FIX": "env-fix",
                                                "REVIEWLOOP_MODEL": "base"})
    assert settings.models.review == "file-review"
    assert settings.models.fix == "env-fix"
    assert model_for(settings, "implement") == "base"
    assert model_for(settings, "review") == "file-review"


def test_list_env_vars_split_on_pathsep(tmp_path):
    settings = load_settings(tmp_path, environ={"REVIEWLOOP_AGENTS_DIRS": "a:b"})
    assert settings.agents_dirs == (tmp_path / "a", tmp_path / "b")


def test_relative_paths_resolve_against_the_project_root(tmp_path):
    write(tmp_path / ".reviewloop.toml", 'spec = "docs/x-spec.md"\n')
    assert load_settings(tmp_path, environ={}).spec == tmp_path / "docs/x-spec.md"


def test_unknown_top_level_key_names_it_and_suggests(tmp_path):
    cfg = write(tmp_path / ".reviewloop.toml", "max_round = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert str(info.value) == f'{cfg}: unknown key "max_round"\n  fix: did you mean "max_rounds"?'
    assert info.value.exit_code == ExitCode.USAGE


def test_unknown_nested_key_names_the_key_path(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.reviewloop.gates]\ntests = ['pytest']\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert 'unknown key "gates.tests"' in str(info.value)
    assert 'did you mean "gates.test"?' in str(info.value)
    assert "[tool.reviewloop]" in str(info.value)


# a top-level setting and a value for it, and the tables a settings file opens
TOP_LEVEL = {"model": '"us.anthropic.claude-sonnet-4-5-20250929-v1:0"', "region": '"eu-west-1"',
             "max_rounds": "3", "fallback_model": '"m"', "sandbox": '"off"',
             "budget_usd": "2.5", "spec": '"docs/spec.md"', "reviewers": '["review-security"]'}
TABLES = [name for name, field in Settings.model_fields.items()
          if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)]


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(TOP_LEVEL)), st.sampled_from(TABLES))
def test_a_top_level_key_after_a_table_line_says_to_move_it_above(tmp_path, key, table):
    """TOML puts a key written after `[gates]` into that table: `model` there is
    `gates.model`, and the fix is to move it above the table, not a list of gates' keys."""
    # a table with a key of that name holds it rightly: no mistake to point at
    assume(key not in Settings.model_fields[table].annotation.model_fields)
    cfg = write(tmp_path / ".reviewloop.toml", f"[{table}]\n{key} = {TOP_LEVEL[key]}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert str(info.value) == (
        f'{cfg}: unknown key "{table}.{key}"\n  fix: move `{key}` above `[{table}]`: `{key}` '
        f"is a top-level setting, and every key after a `[{table}]` line belongs to that table")
    write(cfg, f"{key} = {TOP_LEVEL[key]}\n[{table}]\n")  # moved as the fix says: it loads
    assert key in load_settings(tmp_path, environ={}).model_fields_set


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(TOP_LEVEL)), st.sampled_from(TABLES))
def test_in_pyproject_the_fix_names_the_tables_as_the_file_writes_them(tmp_path, key, table):
    """pyproject.toml has no `[gates]` line: the key goes under `[tool.reviewloop]`, above
    `[tool.reviewloop.gates]` (at the file's top it would be outside the settings)."""
    assume(key not in Settings.model_fields[table].annotation.model_fields)
    cfg = write(tmp_path / "pyproject.toml",
                f"[tool.reviewloop]\n[tool.reviewloop.{table}]\n{key} = {TOP_LEVEL[key]}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert str(info.value) == (
        f'{cfg} [tool.reviewloop]: unknown key "{table}.{key}"\n  fix: move `{key}` under '
        f"`[tool.reviewloop]`, above `[tool.reviewloop.{table}]`: `{key}` is a top-level "
        f"setting, and every key after a `[tool.reviewloop.{table}]` line belongs to that table")
    # moved as the fix says: it loads
    write(cfg, f"[tool.reviewloop]\n{key} = {TOP_LEVEL[key]}\n[tool.reviewloop.{table}]\n")
    assert key in load_settings(tmp_path, environ={}).model_fields_set


def test_wrong_type_names_source_and_key_path(tmp_path):
    write(tmp_path / ".reviewloop.toml", "[gates]\nmax_retries = 'many'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    message = str(info.value)
    assert message.startswith(f"{tmp_path / '.reviewloop.toml'}: key \"gates.max_retries\"")
    assert "'many'" in message


def test_env_error_names_the_variable(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={"REVIEWLOOP_MAX_ROUNDS": "0"})
    assert str(info.value).startswith(
        'environment variable REVIEWLOOP_MAX_ROUNDS: key "max_rounds": Input should be '
        "greater than or equal to 1")


def test_invalid_toml_is_a_config_error(tmp_path):
    write(tmp_path / ".reviewloop.toml", "model = \n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert "not valid TOML" in str(info.value)


def test_explicit_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={}, config_file=tmp_path / "nope.toml")
    assert str(info.value) == (
        f"{tmp_path / 'nope.toml'}: config file not found\n"
        "  fix: check the path given to --config, or drop it: .reviewloop.toml or "
        "[tool.reviewloop] in pyproject.toml is read by default, and `reviewloop init` "
        "writes one")


def test_settings_are_frozen(tmp_path):
    settings = load_settings(tmp_path, environ={})
    with pytest.raises(ValueError):
        settings.max_rounds = 9  # type: ignore[misc]


def test_project_root_finds_enclosing_git_dir(tmp_path):
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert project_root(nested) == tmp_path


def test_the_documented_configuration_example_loads(tmp_path) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()
    example = page.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / ".reviewloop.toml").write_text(example)
    settings = load_settings(tmp_path, environ={})
    assert settings.max_rounds == 3 and settings.gates.coverage == "report"
    assert settings.governance.max_files == 20 and settings.commands.deny == ("terraform apply",)


def test_lease_figures_default_and_a_beat_longer_than_half_the_lease_is_refused(tmp_path):
    assert (Settings().lease_seconds, Settings().lease_beat_seconds) == (20, 5)
    env = {"REVIEWLOOP_LEASE_SECONDS": "60", "REVIEWLOOP_LEASE_BEAT_SECONDS": "10"}
    assert load_settings(tmp_path, environ=env).lease_beat_seconds == 10
    write(tmp_path / ".reviewloop.toml", "lease_seconds = 20\nlease_beat_seconds = 15\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    assert 'key "lease_beat_seconds"' in str(info.value)
    assert "must be at most half of lease_seconds (20)" in str(info.value)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.integers(0, 4), rounds=st.integers(1, 9), bom=st.booleans(),
       bad=st.sampled_from([b"\xe9", b"\xff", b"\x80", b"\xc3("]))
def test_a_settings_file_saved_with_a_bom_reads_and_a_latin1_one_names_its_line(
        tmp_path: Path, lines: int, rounds: int, bom: bool, bad: bytes) -> None:
    """Notepad's UTF-8 (a byte-order mark first) read as `not valid TOML ... at the position
    shown`, where nothing shows; a Latin-1 byte as a decoding error with the same TOML fix.
    Now the mark is skipped, and a byte that is not UTF-8 is named with its line."""
    text = b"# note\n" * lines + f"max_rounds = {rounds}\n".encode()
    path = tmp_path / ".reviewloop.toml"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text)
    assert load_settings(tmp_path, environ={}).max_rounds == rounds
    path.write_bytes(text + b'# caf' + bad + b"\n")
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path, environ={})
    message = str(info.value)
    assert f".reviewloop.toml:{lines + 2}: not UTF-8 text: byte 0x{bad[0]:02x}" in message
    assert "save it as UTF-8" in message
