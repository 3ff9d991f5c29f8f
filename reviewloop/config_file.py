"""The settings file layer: `.reviewloop.toml`, or `[tool.reviewloop]` in pyproject.toml."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from reviewloop.errors import ConfigError

CONFIG_FILE = ".reviewloop.toml"
PYPROJECT_TABLE = "tool.reviewloop"  # the table of pyproject.toml the settings are in

log = logging.getLogger(__name__)


def read_file_layer(root: Path, explicit: Path | None) -> tuple[str, dict[str, Any]] | None:
    """(where, table) of the first settings file found; None when there is none. A file
    that is there but cannot be read as one (a folder, a dangling symlink) is an error, not
    absent: its settings (the sandbox, `sensitive`, the budgets) must not vanish unsaid."""
    candidates = [explicit] if explicit else [root / CONFIG_FILE, root / "pyproject.toml"]
    for path in candidates:
        if path is None or not path.is_file():
            if path is not None and (path.is_symlink() or path.exists()):
                raise _not_a_file(path)
            if explicit is not None:
                raise ConfigError(
                    "config file not found", where=str(explicit),
                    fix=f"check the path given to --config, or drop "
                        f"it: {CONFIG_FILE} or [tool.reviewloop] in pyproject.toml is read "
                        f"by default, and `reviewloop init` writes one")
            continue
        data = _read(path)
        if path.name == "pyproject.toml":
            section = pyproject_section(data, str(path))
            if section is None:
                continue
            return (f"{path} [{PYPROJECT_TABLE}]", section)
        if explicit is None:
            _say_pyproject_unread(root / "pyproject.toml", path)
        return (str(path), data)
    return None


def _read(path: Path) -> dict[str, Any]:
    try:  # a byte-order mark (Notepad's UTF-8) is not TOML's, but the text after it is
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(f"not UTF-8 text: byte 0x{exc.object[exc.start]:02x} on line {line} "
                          "is not UTF-8 (TOML files are UTF-8)", where=f"{path}:{line}",
                          fix="save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", where=str(path),
                          fix="correct the TOML syntax at the position shown") from None
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror or exc}", where=str(path),
                          fix="make it a file you can read, or remove it") from None


def _not_a_file(path: Path) -> ConfigError:
    if path.is_symlink() and not path.exists():
        return ConfigError(f"a dangling symlink (to {os.readlink(path)}): its settings are not "
                           "read", where=str(path),
                           fix="point it at the shared settings file again, or remove it")
    return ConfigError("not a file: its settings are not read", where=str(path),
                       fix=f"make {path.name} a TOML file (`reviewloop init` writes one), or "
                           "remove it")


def _say_pyproject_unread(pyproject: Path, used: Path) -> None:
    """With both files, pyproject.toml's [tool.reviewloop] is not read (the first file
    wins whole, not key by key): said, so its keys are not thought in effect."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return  # not ours to judge: reviewloop does not read it
    tool = data.get("tool")
    if isinstance(tool, dict) and "reviewloop" in tool:
        log.warning("%s [tool.reviewloop] is not read: %s is, and the first settings file "
                    "found is the only one; move its keys into %s", pyproject, used.name,
                    used.name)


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
