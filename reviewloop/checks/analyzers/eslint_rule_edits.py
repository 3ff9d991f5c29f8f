"""What an edit of an ESLint flat config's `rules: { … }` objects switches on, when that is all
it does (`eslint_tightening.tightened`): a rule's `"off"` dropped, its severity raised (`"off"`
to `"warn"` or `"error"`, `"warn"` to `"error"`, its options unchanged), or a rule added as
a bare `"error"`. ESLint merges the config objects in order, and a severity given alone keeps
the options merged before it (`flat-config-schema.js`, `rulesSchema.merge`): so none of these
can turn a rule off, lower its severity, or change its options for any file.

Anything else in the rules is no tightening: a rule added as `"warn"` (it may lower an
earlier `"error"`), an `"off"` with options dropped, or any options changed. The config is
JavaScript, read here as text, conservatively: a file with a regular expression, a division
or a template's `${…}` outside comments and strings, an entry that is no `key: value` (a
spread, a computed key), or a key given twice is not read at all (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
                    r"""|`[^`\\$]*`|[\w$.]+|.""", re.S)
_SEVERITY = {'"off"': 0, "'off'": 0, "`off`": 0, "0": 0, '"warn"': 1, "'warn'": 1,
             "`warn`": 1, "1": 1, '"error"': 2, "'error'": 2, "`error`": 2, "2": 2}
_NAMES = ("off", "warn", "error")
_OPEN, _CLOSE = "([{", ")]}"
PLACEHOLDER = "rules:{}"


@dataclass(frozen=True)
class Rules:
    """A config's text with each `rules` object's body left out (`PLACEHOLDER`), and the
    entries of each of those objects, in order: rule → its value's tokens."""

    text: str
    blocks: tuple[dict[str, tuple[str, ...]], ...]


def rules_of(text: str) -> Rules | None:
    """The config's `rules` objects; None when the text cannot be read safely."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    code = [(start, token) for start, token in tokens if not _is_space(token)]
    blocks, kept, at, cut = [], [], 0, 0
    while at < len(code):
        if _is_rules_key(code, at):
            end = _closing(code, at + 2)
            entries = None if end is None else _entries(code[at + 3:end])
            if end is None or entries is None:
                return None
            blocks.append(entries)
            kept.append(text[cut:code[at][0]] + PLACEHOLDER)
            cut = code[end][0] + 1
            at = end + 1
            continue
        at += 1
    return Rules("".join(kept) + text[cut:], tuple(blocks))


def switched_on(new: tuple[dict[str, tuple[str, ...]], ...],
                old: tuple[dict[str, tuple[str, ...]], ...]) -> list[str] | None:
    """What the change's `rules` objects `new` switch on against the trusted `old` ones (the
    same objects, in order); None when one may loosen a rule."""
    if len(new) != len(old):
        return None
    said: list[str] = []
    for mine, trusted in zip(new, old, strict=True):
        for rule in sorted(mine.keys() | trusted.keys()):
            judged = _judged(rule, mine.get(rule), trusted.get(rule))
            if judged is None:
                return None
            said += judged
    return said


def _judged(rule: str, new: tuple[str, ...] | None,
            old: tuple[str, ...] | None) -> list[str] | None:
    if new == old:
        return []
    before = _severity(old) if old is not None else None
    after = _severity(new) if new is not None else None
    if new is None:  # dropped: only a bare "off", whatever was merged before then applies
        return [f"no longer turns {rule} off"] if before == (0, ()) else None
    if old is None:  # added: only a bare "error", the highest, with the options before it
        return [f"turns {rule} on ({_NAMES[2]})"] if after == (2, ()) else None
    if before is None or after is None or before[1] != after[1] or after[0] < before[0]:
        return None
    if after[0] == before[0]:
        return []  # the same severity, spelt otherwise ("off" or 0)
    return [f"raises {rule} from {_NAMES[before[0]]} to {_NAMES[after[0]]}"]


def _severity(value: tuple[str, ...]) -> tuple[int, tuple[str, ...]] | None:
    """(severity, the options' tokens) of a rule's value: `"off"`, `2`, `["warn", {…}]`."""
    if len(value) == 1:
        level = _SEVERITY.get(value[0])
        return None if level is None else (level, ())
    if len(value) < 3 or value[0] != "[" or value[-1] != "]":
        return None
    inner = value[1:-1]
    level = _SEVERITY.get(inner[0])
    if level is None or (len(inner) > 1 and inner[1] != ","):
        return None
    options = inner[2:]
    return level, options[:-1] if options[-1:] == (",",) else options


def _tokens(text: str) -> list[tuple[int, str]] | None:
    found = []
    for match in _TOKEN.finditer(text):
        token = match[0]
        if token in ("/", "`", "\\"):  # a regular expression, a division, a template
            return None
        found.append((match.start(), token))
    return found


def _is_space(token: str) -> bool:
    return token.isspace() or token.startswith(("//", "/*"))


def _is_rules_key(code: list[tuple[int, str]], at: int) -> bool:
    """A `rules: {` property of an object literal (after its `{` or a `,`)."""
    return code[at][1] in ("rules", '"rules"', "'rules'") and at > 0 \
        and code[at - 1][1] in ("{", ",") and at + 2 < len(code) \
        and code[at + 1][1] == ":" and code[at + 2][1] == "{"


def _closing(code: list[tuple[int, str]], at: int) -> int | None:
    """The index of the bracket closing the one at `at`."""
    depth = 0
    for index in range(at, len(code)):
        token = code[index][1]
        if token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth -= 1
            if depth == 0:
                return index
    return None


def _entries(body: list[tuple[int, str]]) -> dict[str, tuple[str, ...]] | None:
    """`key: value` entries, each key once; None for anything else."""
    entries: dict[str, tuple[str, ...]] = {}
    tokens = [token for _, token in body]
    at = 0
    while at < len(tokens):
        key = tokens[at]
        if at + 1 >= len(tokens) or tokens[at + 1] != ":" or not _is_key(key):
            return None
        name = key[1:-1] if key[0] in "\"'" else key
        end, depth = at + 2, 0
        while end < len(tokens) and (depth or tokens[end] != ","):
            depth += (tokens[end] in _OPEN) - (tokens[end] in _CLOSE)
            end += 1
        if name in entries or end == at + 2:
            return None
        entries[name] = tuple(tokens[at + 2:end])
        at = end + 1
    return entries


def _is_key(token: str) -> bool:
    if token[0] in "\"'":
        return "\\" not in token
    return re.fullmatch(r"[A-Za-z_$][\w$]*", token) is not None
