"""The settings file layer: `.reviewloop.toml`, or `[tool.reviewloop]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from reviewloop.errors import ConfigError

CONFIG_FILE = ".reviewloop.toml"


def read_file_layer(root: Path, explicit: Path | None) -> tuple[str, dict[str, Any]] | None:
    """(where, table) of the first settings file found; None when there is none."""
    candidates = [explicit] if explicit else [root / CONFIG_FILE, root / "pyproject.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            if explicit is not None:
                raise ConfigError(
                    "config file not found", where=str(explicit),
                    fix=f"check the path given to --config, or drop "
                        f"it: {CONFIG_FILE} or [tool.reviewloop] in pyproject.toml is read "
                        f"by default, and `reviewloop init` writes one")
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"not valid TOML ({exc})", where=str(path),
                              fix="correct the TOML syntax at the position shown") from None
        if path.name == "pyproject.toml":
            section = pyproject_section(data, str(path))
            if section is None:
                continue
            return (f"{path} [tool.reviewloop]", section)
        return (str(path), data)
    return None


def pyproject_section(data: dict[str, Any], where: str) -> dict[str, Any] | None:
    """pyproject.toml's `[tool.reviewloop]` table; None when absent, an error when not a table."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise _not_a_table(where, "tool", tool)
    section = tool.get("reviewloop")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise _not_a_table(where, "tool.reviewloop", section)
    return section


_TOML_TYPES = {"str": "a string", "int": "an integer", "float": "a float", "bool": "a boolean",
               "list": "an array", "datetime": "a date-time", "date": "a date", "time": "a time"}


def _not_a_table(where: str, key: str, value: object) -> ConfigError:
    kind = _TOML_TYPES.get(type(value).__name__, type(value).__name__)
    return ConfigError(
        f"`{key}` is {kind}, not a table", where=f"{where} key {key}",
        fix=f"make `{key}` a table (`[{key}]`) or remove it; reviewloop reads its settings "
            f"from [tool.reviewloop]")
