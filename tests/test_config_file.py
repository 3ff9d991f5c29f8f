"""The settings file layer: a pyproject.toml whose `tool` or `tool.reviewloop` is valid TOML
but not a table is a config error naming the file and the key, for every loader."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest

from reviewloop.config import load_settings
from reviewloop.errors import ConfigError, ExitCode
from reviewloop.install import project

# every kind of TOML value that is not a table, as a user may write it
_NOT_TABLES = ('1', '1.5', 'true', '"x"', "''", '[]', '[1, 2]', '1979-05-27',
               '07:32:00', '1979-05-27T07:32:00Z', '[{a = 1}]')
_AROUND = ('', '[project]\nname = "x"\n')


def _variants() -> list[tuple[str, str]]:
    """(pyproject text, the key that is not a table) at each level of [tool.reviewloop]."""
    cases = []
    for value, before in itertools.product(_NOT_TABLES, _AROUND):
        cases.append((f"tool = {value}\n{before}", "tool"))
        cases.append((f"{before}[tool]\nreviewloop = {value}\n", "tool.reviewloop"))
        cases.append((f"{before}[tool.ruff]\nline-length = 99\n[tool]\nreviewloop = {value}\n",
                      "tool.reviewloop"))
    cases.append(("[[tool.reviewloop]]\nmax_rounds = 2\n", "tool.reviewloop"))
    cases.append(("[[tool]]\nreviewloop = {}\n", "tool"))
    return cases


def _not_a_table(text: str, key: str) -> bool:
    """The oracle: tomllib (what every TOML reader gives) parses the file, and the value at
    the key is not a table."""
    node: object = tomllib.loads(text)
    for part in key.split("."):
        assert isinstance(node, dict)
        node = node[part]
    return not isinstance(node, dict)


@pytest.mark.parametrize(("text", "key"), _variants())
def test_a_non_table_on_the_settings_path_names_the_file_and_key(tmp_path: Path, text, key):
    assert _not_a_table(text, key)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    for load in (lambda: load_settings(tmp_path, environ={}),
                 lambda: project.plan(tmp_path, version="1.2.3")):
        with pytest.raises(ConfigError) as caught:
            load()
        error = caught.value
        assert error.exit_code == ExitCode.USAGE
        assert str(tmp_path / "pyproject.toml") in str(error.where)
        assert f"`{key}`" in str(error) and error.fix


@pytest.mark.parametrize("text", ["[tool.ruff]\nline-length = 99\n", "[project]\nname = 'x'\n",
                                  "[tool]\n"])
def test_a_pyproject_without_reviewloop_settings_is_not_read(tmp_path: Path, text):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert load_settings(tmp_path, environ={}) == load_settings(tmp_path / "none", environ={})
    changes = project.plan(tmp_path, version="1.2.3")
    assert changes[0].action == "create"


def _folder(path: Path) -> str:
    path.mkdir()
    return "not a file"


def _dangling(path: Path) -> str:
    path.symlink_to("../shared/reviewloop.toml")
    return "a dangling symlink (to ../shared/reviewloop.toml)"


def _to_folder(path: Path) -> str:
    (path.parent / "shared").mkdir()
    path.symlink_to("shared")
    return "not a file"


@pytest.mark.parametrize("make", [_folder, _dangling, _to_folder])
@pytest.mark.parametrize("name", [".reviewloop.toml", "pyproject.toml"])
def test_a_settings_file_that_is_not_a_file_is_an_error_never_absent(tmp_path: Path, make,
                                                                     name):
    """Its settings (sandbox, sensitive, max_cost_usd) dropped without a word weakened every
    guard-rail: the other file's, or the defaults, were used instead."""
    (tmp_path / "pyproject.toml").write_text("[tool.reviewloop]\nmax_rounds = 1\n") \
        if name != "pyproject.toml" else None
    said = make(tmp_path / name)
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, environ={})
    assert caught.value.exit_code == ExitCode.USAGE
    text = str(caught.value)
    assert text.startswith(f"{tmp_path / name}: {said}") and "fix: " in text


def test_pyproject_settings_not_read_beside_reviewloop_toml_are_said(tmp_path: Path, caplog):
    (tmp_path / ".reviewloop.toml").write_text("max_rounds = 2\n")
    (tmp_path / "pyproject.toml").write_text("[tool.reviewloop]\nmax_reviewerz = 1\n")
    with caplog.at_level("WARNING"):
        assert load_settings(tmp_path, environ={}).max_rounds == 2
    assert "[tool.reviewloop] is not read: .reviewloop.toml is" in caplog.text
    caplog.clear()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # nothing to say
    with caplog.at_level("WARNING"):
        load_settings(tmp_path, environ={})
    assert "not read" not in caplog.text
