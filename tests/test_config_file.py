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
