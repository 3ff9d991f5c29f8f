"""What a file's kind fills in for a value: the reference syntaxes its reader or build
resolves, each read only in the kinds that have it.

A YAML tag or alias (`!ImportValue x`, `*db_password`) means something in YAML only: in a
.properties, INI or text file `!`, `*` and `&` are a value's characters (`password:
&Xk9mP2qz` is that password). Maven filters `@name@` in the resources it copies
(.properties, .xml, .yaml, .yml), Grafana fills `$__env{NAME}`, `$__file{/path}` and
`$__vault{provider:type:key}` in its .ini and provisioning YAML. Each is a reference only
when its inside has the shape of what it names (a property's dotted name, an environment
variable's name, a path): a random key wrapped in `@…@` or `$__env{…}` is still a key.

Some kinds spell a character another way, and their reader builds the plain text: Python's
strings read `\\N{LATIN SMALL LETTER G}` as `g` (`escaped`), HTML and JSX text and attributes
read `&#103;`, `&#x67;` and HTML's named references (`&amp;`), XML and SVG the numeric ones and
XML's five names (`charrefs`). A secret so written is the secret the reader sees.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Reference(StrEnum):
    """A syntax a file's reader or build resolves to the real value."""

    YAML_NODE = "yaml-node"  # a tag, an alias or an anchor (`yaml_nodes`)
    MAVEN = "maven"  # resource filtering: `@db.password@`
    GRAFANA = "grafana"  # `$__env{NAME}`, `$__file{/path}`, `$__vault{provider:type:key}`
    NAMED_ESCAPE = "named-escape"  # Python's `\N{LATIN SMALL LETTER G}` in a string
    HTML_CHARACTER = "html-character"  # `&#103;`, `&#x67;`, `&amp;`: HTML's and JSX's names
    XML_CHARACTER = "xml-character"  # `&#103;`, `&#x67;`, `&amp;`: XML's five names only


_KINDS = {
    Reference.YAML_NODE: re.compile(r"\.(?:ya?ml|eyaml)$", re.IGNORECASE),
    Reference.MAVEN: re.compile(r"\.(?:properties|xml|ya?ml)$", re.IGNORECASE),
    Reference.GRAFANA: re.compile(r"\.(?:ini|ya?ml)$", re.IGNORECASE),
    Reference.NAMED_ESCAPE: re.compile(r"\.py[iw]?$", re.IGNORECASE),
    Reference.HTML_CHARACTER: re.compile(r"\.(?:html?|[jt]sx)$", re.IGNORECASE),
    Reference.XML_CHARACTER: re.compile(r"\.(?:xml|svg|xhtml|xsd|xslt?|plist)$", re.IGNORECASE),
}
# the inside of each wrapper, shaped as what it names: a Maven property (`db.password`,
# `env.DB_PASSWORD`), an environment variable's name, a path, a vault's `provider:type:key`
_FILLED = {
    Reference.MAVEN: re.compile(r"@(?P<inside>[A-Za-z_][\w-]*(?:\.[\w-]+)*)@"),
    Reference.GRAFANA: re.compile(
        r"\$__env\{(?P<inside>[A-Z_][A-Z0-9_]*)\}"
        r"|\$__file\{(?P<path>(?:/|\.{1,2}/|~/|[A-Za-z]:[\\/])[^{}\s]*)\}"
        r"|\$__vault\{(?P<vault>[\w.-]+:[\w.-]+:[\w./-]+)\}"),
}

NONE: frozenset[Reference] = frozenset()
# a name's parts are words, a version's or an index's digits at most (`db.password`,
# `replica1`, `app.v2.key`, `GF_DATABASE_PASSWORD`), where a password's are mixed
# (`s3cr3tP4ss`)
_NAME_PART = re.compile(r"[A-Za-z]+[0-9]{0,2}|[0-9]{1,3}")


def is_name(text: str) -> bool:
    """Whether `text` is written as a name: words and a few digits between `.`, `_`, `-`."""
    return all(_NAME_PART.fullmatch(part) for part in re.split(r"[._-]", text))


def references_of(path: str) -> frozenset[Reference]:
    """The reference syntaxes the file at `path` has, by its name."""
    return frozenset(kind for kind, name in _KINDS.items() if name.search(path))


def filled_in(value: str, references: frozenset[Reference]) -> list[str] | None:
    """The names inside `value` when the whole value is a reference one of `references`
    fills in (`["db.password"]` for `@db.password@`, a path's parts for `$__file{…}`), for
    the caller to judge as values: a name is no secret, a random key is."""
    for kind in references:
        shape = _FILLED.get(kind)
        match = shape.fullmatch(value) if shape is not None else None
        if match is None:
            continue
        if match.groupdict().get("path") is not None:
            return [part for part in re.split(r"[\\/]", match["path"]) if part]
        inside = next(part for part in match.groups() if part is not None)
        if match.groupdict().get("vault") is None and not is_name(inside):
            return None  # `@s3cr3tP4ss@`: a password between the signs, no property
        return [inside]
    return None
