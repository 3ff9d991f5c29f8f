"""YAML node properties before a secret-named value: a tag or an alias makes the value a
reference (`!ImportValue shared-db-password`, `*db_password`), while the literal after a
string tag or an anchor (`!!str hunter2Secret`, `&pw s3cr3tP4ss`) is still a value.

A YAML parser reads `password: !ImportValue x` as a node tagged `!ImportValue` whose value the
application builds (CloudFormation's intrinsics `!Ref`, `!Sub`, `!Select`, `!Join`,
`!FindInMap`, Ansible's `!vault`, Home Assistant's `!secret`, a loader's `!ENV`), and
`password: *db_password` as the node anchored `db_password` elsewhere: neither holds the
secret. A tag is a name (`!GetAZs`, `!Base64`); a chosen password that starts with `!` has
the signs or mixed digits a tag has not (`!Xk9#mP2q`), and is judged as the value it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# `!Name`, `!Fn::Name`, `!vault`, `!Base64` followed by a blank or the line's end; or an alias
# (`*name`) as the whole value
REFERENCE = re.compile(
    r"!(?![!<])[A-Za-z][A-Za-z]*\d{0,2}(?:(?:::|[:./_-])[A-Za-z]+\d{0,2})*(?=[ \t\r\n]|$)"
    r"|\*[\w.-]+(?=[ \t]*(?:#.*)?\r?$)")
# a line whose value carries YAML node properties that leave a literal: an anchor
# (`&db_password`) and the core string tags (`!!str`, `!!binary`, the verbatim
# `!<tag:yaml.org,2002:str>`), in any order, then a quoted or a plain scalar to the line's end
_PROPERTIES = r"""(?:&[^\s,\[\]{}]+|!!(?:str|binary)|!<tag:yaml\.org,2002:(?:str|binary)>)"""
_LITERAL_LINE = re.compile(
    r"""[ \t]*(?:-[ \t]+)?(?P<name>[A-Za-z_][\w.-]{0,80})[ \t]*:[ \t]+"""
    rf"""(?:{_PROPERTIES}[ \t]+)+"""
    r"""(?:(?P<q>["'])(?P<quoted>(?:(?!(?P=q))[^\\\n]|\\.){1,300}?)(?P=q)"""
    r"""|(?P<bare>[^\s#"'][^\s]{0,299}))[ \t]*(?:[ \t]#[^\n]*)?\r?$""", re.MULTILINE)


def is_reference(value: str) -> bool:
    """Whether an unquoted value after `name:` starts with a YAML tag that is not a string's
    (`!ImportValue`, `!Ref`, `!vault`) or is an alias (`*db_password`): not the secret."""
    return REFERENCE.match(value) is not None


def literals(text: str, lines: Iterable[tuple[int, int]]) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each value written after an anchor or a string tag on the
    `lines` (offsets into `text`) of a YAML mapping: `password: &pw s3cr3tP4ss`,
    `password: !!str "hunter2Secret"`. A tag or an alias after the properties
    (`&x !Ref Db`) is a reference, as `is_reference` says."""
    for line_start, line_end in lines:
        match = _LITERAL_LINE.match(text, line_start, line_end)
        if match is None:
            continue
        group = "quoted" if match.group("quoted") is not None else "bare"
        if group == "bare" and is_reference(match.group("bare")):
            continue
        yield match.group("name"), match.start(group), match.end(group)
