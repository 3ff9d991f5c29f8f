"""A `.hadolint.yaml` read as hadolint 2.15 reads it (`mapping`): YAML 1.2's core schema,
one document, a mapping at the top, no key twice in any mapping.

PyYAML reads YAML 1.1 and keeps the last of a duplicated key, so the review took configs
hadolint refuses ("Error parsing your config file": it then lints with none of the file):
`ignored:` twice, or any key twice in any mapping; `no-color: yes` (a string in YAML 1.2,
where a switch must be `true` or `false`); `ignored: [1e3]` (a float in YAML 1.2, a string
in 1.1). Measured against the binary (`tests/checks/suppressions/test_hadolint_yaml.py`).
Aliases stay refused (`reviewloop.config.load_yaml`): hadolint takes them, so a config with
one only over-reports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

from reviewloop.config import no_alias_loader

# YAML 1.2 core schema: the plain scalars that are no string
_CORE = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
     "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
)


class _Refused(ValueError):
    """hadolint refuses the file (a key twice in a mapping)."""


def mapping(text: str) -> dict[str, Any]:
    """The top-level mapping hadolint reads from `text`; empty when it refuses the file
    (it does not parse, holds a key twice, or is no mapping): hadolint then lints with none
    of it. Whether it takes the values is `accepted`."""
    from yaml import YAMLError  # loaded by `_loader`: here only for its error

    try:
        data = _loader()(text).get_single_data()
    except (YAMLError, _Refused):
        return {}
    return data if isinstance(data, dict) else {}


@cache
def _loader() -> Any:
    class CoreLoader(no_alias_loader()):  # type: ignore[misc]
        yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}

        def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
            keys = [self.construct_object(key, deep=True) for key, _ in node.value]
            for key in keys:
                if keys.count(key) > 1:
                    raise _Refused(f"the key {key!r} twice")
            return super().construct_mapping(node, deep)

    for tag, pattern, first in _CORE:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    CoreLoader.add_implicit_resolver(  # `''` resolves by the empty first character
        "tag:yaml.org,2002:null", re.compile(r"^$"), [""])
    return CoreLoader


LEVELS = ("style", "info", "warning", "error")  # hadolint's levels, lowest first
_LISTS = ("ignored", "trustedRegistries")
_SWITCHES = ("strict-labels", "no-fail", "no-color", "disable-ignore-pragma", "verbose")
THRESHOLDS = frozenset({"error", "warning", "info", "style", "ignore", "none"})
_FORMATS = frozenset({"tty", "json", "checkstyle", "codeclimate", "gitlab_codeclimate", "gnu",
                      "codacy", "sonarqube", "sarif"})
_LABEL_KINDS = frozenset({"", "text", "url", "email", "hash", "rfc3339", "semver", "spdx"})


def accepted(data: Mapping[str, Any]) -> bool:
    """Whether hadolint 2.15 takes the config: a key it knows with a value of another type
    (`ignored: DL3008`, a scalar; `failure-threshold: bogus`, `format: TTY`, a label kind
    it does not know) makes it refuse the whole file ("Error parsing your config file")
    and lint with none of it (measured)."""
    def strings(value: Any) -> bool:
        return value is None or (isinstance(value, list)
                                 and all(isinstance(item, str) for item in value))

    override = data.get("override")
    schema = data.get("label-schema")
    return (all(strings(data.get(key)) for key in _LISTS)
            and all(data.get(key) is None or isinstance(data.get(key), bool)
                    for key in _SWITCHES)
            and _one_of(data.get("failure-threshold"), THRESHOLDS)
            and _one_of(data.get("format"), _FORMATS)
            and (override is None or (isinstance(override, dict) and all(
                strings(names) for names in override.values())))
            and (schema is None or (isinstance(schema, dict) and all(
                isinstance(k, str) and isinstance(v, str) and v in _LABEL_KINDS
                for k, v in schema.items()))))


def _one_of(value: Any, allowed: frozenset[str]) -> bool:
    """None (not set), or one of `allowed` (a list or number, say, is none)."""
    return value is None or (isinstance(value, str) and value in allowed)
