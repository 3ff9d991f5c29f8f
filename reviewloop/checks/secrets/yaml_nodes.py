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
from typing import NamedTuple

# `!Name`, `!Fn::Name`, `!vault`, `!Base64` followed by a blank or the line's end; or an alias
# (`*name`) as the whole value
REFERENCE = re.compile(
    r"!(?![!<])[A-Za-z][A-Za-z]*\d{0,2}(?:(?:::|[:./_-])[A-Za-z]+\d{0,2})*(?=[ \t\r\n]|$)"
    r"|\*[\w.-]+(?=[ \t]*(?:#.*)?\r?$)")
# YAML node properties that leave the scalar a literal: an anchor (`&db_password`), a string
# tag (`!!str`, `!!binary`, PyYAML's `!!python/str`), a verbatim one (`!<tag:yaml.org,2002:str>`,
# `!<!>`) and the non-specific `!` (a blank or the line's end after it)
_PROPERTY = (r"""(?:&[^\s,\[\]{}]+|!!(?:str|binary|python/(?:str|unicode|bytes))"""
             r"""|!<(?:!|tag:yaml\.org,2002:(?:str|binary))>|!(?=[ \t\r\n]))""")
# `name: <properties> value`: the name plain or quoted, in a block mapping (a line, a list
# item) or a flow one (`{password: &pw v}`); the value on the line, quoted or plain, on the
# next line, or a block scalar's first line (`|`, `>-`: its text is literal, whatever it is);
# at any length: a 600-character key after `&pw` is read whole, as on a line of its own
_LITERAL = re.compile(
    r"""(?:^[ \t]*(?:-[ \t]+)?|(?P<flow>[{,])[ \t]*)"""
    r"""(?P<k>["']?)(?P<name>[A-Za-z_][\w.-]{0,80})(?P=k)[ \t]*:[ \t]+"""
    rf"""(?P<props>{_PROPERTY}(?:[ \t]+{_PROPERTY})*)"""
    r"""(?:[ \t]+[|>][-+1-9]{0,2}[ \t]*(?:[ \t]\#[^\n]*)?\r?\n[ \t]+"""
    r"""(?P<block>[^\s](?:[^\r\n]*[^\s])?)[ \t]*\r?$"""
    r"""|(?:[ \t]*(?:[ \t]\#[^\n]*)?\r?\n[ \t]+|[ \t]+)"""
    r"""(?:(?P<q>["'])(?P<quoted>(?:(?!(?P=q))[^\\\n]|\\.)+?)(?P=q)"""
    r"""|(?P<bare>[^\s#"'|>](?(flow)[^\s,{}\[\]]|[^\s])*?))"""
    r"""(?(flow)(?=[ \t]*[,}])|(?=(?:[ \t]+\#[^\n]*)?[ \t]*\r?$)))""", re.MULTILINE)


def is_reference(value: str) -> bool:
    """Whether an unquoted value after `name:` starts with a YAML tag that is not a string's
    (`!ImportValue`, `!Ref`, `!vault`) or is an alias (`*db_password`): not the secret."""
    return REFERENCE.match(value) is not None


class Literal(NamedTuple):
    """A value written after YAML node properties."""

    name: str  # the key it is set to
    start: int  # offsets of the value in the text
    end: int
    at: int  # where the properties start
    quoted: bool  # a quoted scalar


def literals(text: str, lines: Iterable[tuple[int, int]]) -> Iterator[Literal]:
    """Each value written after an anchor or a string tag on the `lines` (offsets into
    `text`) of a YAML mapping:
    `password: &pw s3cr3tP4ss`, `"password": !!str "hunter2Secret"`, `{password: ! v}`,
    `password: &pw |` and the text on the next line. A tag or an alias after the properties
    (`&x !Ref Db`) is a reference, as `is_reference` says."""
    seen = -1
    for line_start, line_end in lines:
        # the value may be on the next line, never further
        following = text.find("\n", line_end + 1)
        stop = len(text) if following < 0 else following
        for match in _LITERAL.finditer(text, max(line_start, seen), stop):
            if match.start() > line_end:
                break
            seen = match.end()
            group = next(g for g in ("block", "quoted", "bare") if match.group(g) is not None)
            if group == "bare" and is_reference(match.group("bare")):
                continue
            yield Literal(match.group("name"), match.start(group), match.end(group),
                          match.start("props"), quoted=group == "quoted")
