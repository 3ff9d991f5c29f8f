"""Where YAML puts a value that a line's `name: value` reading misses: an entry of a flow
mapping (`{user: x, password: S3cr3tValue!}`, `[password: v]`), and the text on the next
line after a block scalar's header that carries an indentation indicator or a comment
(`password: |2`, `>-2`, `|+1`, `| # the pw`).

A flow mapping's plain value runs, as a YAML parser reads it, to the `,`, `}` or `]` that
ends the entry or to a comment (` #`); a `:` or a `#` inside it is the value's (`p@ss:w0rd!`,
`Dis#PL0Xq9`), as are blanks between its words. Its key is plain, followed by `: `, or quoted
(a JSON-like key, which YAML lets the value follow without a blank: `{"password":v}`). A
value that starts with a quote, an anchor or a string's tag (`!!str`, `!<…>`, `! `) is read
by the keyword layer's other readers (`assignments._ASSIGN`, `yaml_nodes`); one that starts
with another tag or an alias is read here, for the keyword layer to tell a reference (`!Ref
Db`, `*db_password`) from a value shaped as a password (`!Xk9#mP2q`). A template's `${…}`
inside a value is read whole (`{password: ${DB_PASS}}`, which no YAML parser takes, is what
a tool that fills it in reads): the keyword layer judges it a stand-in.

A flow collection may span lines (`{user: a,` and `password: v}` on the next): a line inside
one that an earlier line opened — its brackets counted where YAML starts a collection (at a
node's start: after `: `, `- `, `,`, another bracket or a line's start), quoted scalars and
comments skipped — is read as the collection's entries from its start, and an entry's value
may be on the line after its key (`password:` and `v}` below it).

A block scalar's text is read from its first line's first non-blank character to that line's
end: under an indentation indicator the blanks beyond the indentation it sets are the text's
own (`|2` and `    v` hold `  v`), and a secret has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from reviewloop.checks.secrets.yaml_nodes import Literal

# `|` or `>`, then an indentation indicator and a chomping indicator in either order, then a
# comment; the text starts on the next line
BLOCK_HEADER = r"[|>](?:[1-9][-+]?|[-+][1-9]?)?(?:[ \t]+#[^\n]*)?"

# a flow collection's entry: after `{`, `[` or `,` (or a line's start inside a collection an
# earlier line opened), a plain or quoted key, `:`, a plain value (on the key's line or the
# next) up to the entry's end (`,`, `}`, `]`), a comment, or the line's end
_ENTRY = re.compile(
    r"""(?:[{\[,]|^)[ \t]*(?P<k>["'])?(?P<name>[A-Za-z_][\w.-]{0,80})(?(k)(?P=k))"""
    r"""[ \t]*:(?:[ \t]*(?:\#[^\n]*)?\r?\n[ \t]*|(?(k)[ \t]*|[ \t]+))"""
    r"""(?P<value>(?:\$\w*\{[^{}\s,\[\]]*\}|![^\s!<,{}\[\]]|[^\s,{}\[\]#"'&!|>])"""
    r"""(?:\$\w*\{[^{}\s,\[\]]*\}|[^\s,{}\[\]]|[ \t]+(?=[^\s,{}\[\]#]))*)"""  # any length
    r"""(?=[ \t]*(?:[,}\]]|\#|\r?$))""", re.MULTILINE)
# what opens or closes a flow collection, and what hides a bracket: a quoted scalar, a comment
_FLOW_TOKEN = re.compile(
    r"""(?:(?<=[:\-,\[{?][ \t])|(?<=[,\[{])|^[ \t]*)[ \t]*(?P<open>[\[{])|(?P<close>[\]}])"""
    r"""|(?:(?<=[\s:,\[{])|^)(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')|(?:(?<=\s)|^)\#[^\n]*""",
    re.MULTILINE)
_LOOK_BACK = 4000  # characters: how far back a collection that a line is inside may open


def flow_values(text: str, lines: Iterable[tuple[int, int]]) -> Iterator[Literal]:
    """Each plain value of a flow collection's entry on the `lines` (offsets into `text`),
    from the line's first `{` or `[` on, or from its start inside a collection an earlier
    line opened; `at` is where the value starts."""
    for line_start, line_end in lines:
        opens = [at for at in (text.find("{", line_start, line_end),
                               text.find("[", line_start, line_end)) if at >= 0]
        if inside_flow(text, line_start):
            opens.append(line_start)
        if not opens:
            continue
        pos = min(opens)
        following = text.find("\n", line_end + 1)  # a value on the line after its key
        stop = len(text) if following < 0 else following
        while (match := _ENTRY.search(text, pos, stop)) is not None \
                and match.start() < line_end:
            yield Literal(match.group("name"), match.start("value"), match.end("value"),
                          match.start("value"), quoted=False)
            pos = match.end("value")  # the `,` that ends it starts the next entry


def inside_flow(text: str, line_start: int) -> bool:
    """Whether the line at `line_start` is inside a flow collection an earlier line opened
    (counted from a line's start at most `_LOOK_BACK` characters back)."""
    if line_start == 0 or not any(c in text[max(0, line_start - _LOOK_BACK):line_start]
                                  for c in "[{"):
        return False
    start = text.find("\n", max(0, line_start - _LOOK_BACK) - 1) + 1 \
        if line_start > _LOOK_BACK else 0
    depth = 0
    for token in _FLOW_TOKEN.finditer(text, start, line_start):
        if token.group("open"):
            depth += 1
        elif token.group("close"):
            depth = max(0, depth - 1)
    return depth > 0
