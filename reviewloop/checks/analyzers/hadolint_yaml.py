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


class Refused(ValueError):
    """hadolint refuses the file (a key twice in a mapping)."""


def mapping(text: str) -> dict[str, Any]:
    """The top-level mapping hadolint reads from `text`; empty when it refuses the file
    (it does not parse, holds a key twice, or is no mapping): hadolint then lints with none
    of it. Whether it takes the values is `hadolint_config.accepted`."""
    from yaml import YAMLError  # loaded by `_loader`: here only for its error

    try:
        data = _loader()(text).get_single_data()
    except (YAMLError, Refused):
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
                    raise Refused(f"the key {key!r} twice")
            return super().construct_mapping(node, deep)

    for tag, pattern, first in _CORE:
        CoreLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    CoreLoader.add_implicit_resolver(  # `''` resolves by the empty first character
        "tag:yaml.org,2002:null", re.compile(r"^$"), [""])
    return CoreLoader
