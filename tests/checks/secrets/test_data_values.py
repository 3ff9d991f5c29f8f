"""An unquoted secret value in a data file (YAML, docker-compose, .env, INI, .properties, a shell
`export`) is read as the format's own parser reads it: a `#` inside it (not after a blank) is
no comment, and `( ) [ ] { } > \\ "` inside it are the value's. The keyword layer cut such a
value at `#` or dropped it (`password: Dis#PL0X2f…`), and dropped a YAML value on the line
after its key when it held a sign, while detect-secrets reports them all.

Generated: every ASCII punctuation character at several places in a random value, in each
format; the oracle is the format's parser (the value it reads) and plain detect-secrets
(that it reports the file)."""

from __future__ import annotations

import configparser
import itertools
import random
import shlex
import string
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from reviewloop.checks.secrets.scanner import blocking, scan_text

_ALNUM = string.ascii_letters + string.digits


def _yaml(path: tuple[str, ...]) -> Callable[[str], str | None]:
    def read(text: str) -> str | None:
        try:
            data = yaml.safe_load(text)
            for key in path:
                data = data[key]
        except (yaml.YAMLError, KeyError, TypeError):
            return None
        return data if isinstance(data, str) else None
    return read


def _ini(text: str) -> str | None:
    parser = configparser.RawConfigParser()  # the default: no inline comments
    parser.read_string(text)
    return parser.get("database", "password", fallback=None)


def _shell(text: str) -> str | None:
    """What POSIX sh assigns on the file's one assignment line (dotenv files follow it)."""
    line = text.splitlines()[-1]
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    words = words[1:] if words[:1] == ["export"] else words
    return words[0].partition("=")[2] if len(words) == 1 else None


def _properties(text: str) -> str | None:
    """java.util.Properties: the rest of the line after the separator; `\\` escapes."""
    value = text.splitlines()[-1].partition("=")[2].lstrip()
    return None if "\\" in value else value


# (file name, file text around the value, the value as the format's parser reads it)
_FORMATS: dict[str, tuple[str, str, Callable[[str], str | None]]] = {
    "yaml": ("config.yaml", "database:\n  password: {v}\n", _yaml(("database", "password"))),
    "yaml-next-line": ("config.yaml", "database:\n  password:\n    {v}\n",
                       _yaml(("database", "password"))),
    "yaml-folded": ("config.yaml", "database:\n  password: >-\n    {v}\n",
                    _yaml(("database", "password"))),
    "compose": ("docker-compose.yml", "services:\n  db:\n    environment:\n"
                "      POSTGRES_PASSWORD: {v}\n",
                _yaml(("services", "db", "environment", "POSTGRES_PASSWORD"))),
    "env": (".env", "DB_PASSWORD={v}\n", _shell),
    "sh": ("deploy.sh", "#!/bin/sh\nexport DB_SECRET={v}\n", _shell),
    "ini": ("app.ini", "[database]\npassword = {v}\n", _ini),
    "properties": ("app.properties", "spring.datasource.password={v}\n", _properties),
}


def _cells() -> list[tuple[str, str, str]]:
    rng = random.Random(5)
    cells = []
    for mark, at, name in itertools.product(string.punctuation, (1, 3, 7, 12), _FORMATS):
        value = "".join(rng.choices(_ALNUM, k=24))
        # a digit after the sign: `.`, `_`, `-` or `:` between two letter runs make a name
        # (`config.password`, `db_password`), which the keyword layer leaves alone
        cells.append((name, mark, value[:at] + mark + rng.choice(string.digits) + value[at:]))
    return cells


def _detect_secrets_reports(path: Path) -> bool:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    with default_settings():
        found = SecretsCollection()
        found.scan_file(str(path))
    return any(secret.type == "Secret Keyword" for _, secret in found)


@pytest.mark.parametrize("name", list(_FORMATS))
def test_an_unquoted_value_is_read_as_its_format_reads_it(name: str, tmp_path: Path) -> None:
    file_name, shape, read = _FORMATS[name]
    missed, checked = [], 0
    for index, (_, mark, value) in enumerate(c for c in _cells() if c[0] == name):
        text = shape.format(v=value)
        if read(text) != value:
            continue  # the format reads something else (a comment, an escape, a tag)
        path = tmp_path / str(index) / file_name
        path.parent.mkdir()
        path.write_text(text)
        if not _detect_secrets_reports(path):
            continue
        checked += 1
        hits = [h for h in scan_text(text, path=file_name) if blocking(h)]
        if [text[h.start:h.end] for h in hits] != [value]:
            missed.append((mark, value, [text[h.start:h.end] for h in hits]))
    assert checked >= 40, checked  # the generator does reach both oracles
    assert missed == []


@pytest.mark.parametrize("text", [
    'password = os.environ["DB_PASSWORD"]',
    "password: Optional[str]",
    "    password = get_password(config)",
    "  password: user.credentials.password,",
    "  secret = computeSecret(seed);",
    "password = settings[\"db\"][\"password\"]",
    "password: {{ .Values.db.password }}",
    "password:\n  dev: Xk29vLq8Wz\n",
])
def test_code_on_a_whole_line_is_no_value(text: str) -> None:
    assert scan_text(text) == []
