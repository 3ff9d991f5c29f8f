"""The keyword layer of the secrets scanner: a credential-like value assigned to a name that
says it is a secret (`password = "…"`, `secret_key: …`, `--api-key=…`, `<token>…</token>`).

The value must pass placeholder, shape and entropy checks; the name is judged word by word
(`secret_names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewloop.checks.secrets.assigned_values import secret_value
from reviewloop.checks.secrets.code_refs import (
    DATA_REF,
    INTERPOLATION,
    code_value,
    literal_text,
)
from reviewloop.checks.secrets.references import NONE, Reference, is_name
from reviewloop.checks.secrets.secret_names import generic_rule
from reviewloop.checks.secrets.syntax import Syntax
from reviewloop.checks.secrets.yaml_entries import BLOCK_HEADER, flow_values, inside_flow
from reviewloop.checks.secrets.yaml_nodes import Literal, is_reference, literals

Candidate = tuple[int, int, str, str, float]  # start, end, rule, description, confidence

_BARE = r"""[^\s"'`,;#(){}\[\]<>\\]"""  # a character of an unquoted value in code
_ASSIGN = re.compile(
    r"""(?<![\w$@./-])(?P<name>[A-Za-z_$@][\w.-]{0,80})"""
    r"""(?:[ \t]+(?:string|String|str|&str|\[\]byte|bytes|char\*?|const|final))?"""  # Go, C
    r"""\\?["'\]]{0,3}[ \t]*(?::[ \t]*[A-Za-z_][\w\[\], |.]*?[ \t]*)?"""  # py annotation
    r"""(?P<op>:{1,3}=|\?\?=|[.+?]=|=>|<-(?!-)|(?<![=!<>])=(?!=)"""  # `<-`: R's
    rf"""|:(?![:=])[ \t]*(?:{BLOCK_HEADER}[ \t]*\r?\n|(?:[ \t]\#[^\n]*)?\r?\n(?=[ \t]+["']))?"""
    r"""|,|\(|[ \t]+(?=\\?["'`]))[ \t]*"""
    r"""(?:\\?(?P<q>["'`])(?:(?P<quoted>(?:(?!(?P=q))[^\\\n]|\\.){1,300}?)\\?(?P=q)"""
    r"""|(?P<long>(?:(?!(?P=q))[^\\\n]|\\.){300}))"""
    rf"""|(?P<bare>{_BARE}{{1,300}})(?=[\s,;#<)\\]|$)|(?P<longbare>{_BARE}{{301}}))""",
    re.MULTILINE)
# A value longer than the regex's window (300 characters: each try of a name reads at most
# that far) is read on to its end by these, once, from the window's end: a 600-character
# client secret is as much a secret as a 60-character one. A literal opened by an escaped
# quote (JSON inside a JSON string: `"{\"password\": \"…\"}"`) ends at the next escaped
# one, where a shorter value ends too; `close` is the closing quote, with its backslash.
_QUOTED_REST = {q: re.compile(rf"(?:[^{q}\\\n]|\\.)*+(?P<close>\\?{q})") for q in ("\"", "'", "`")}
_ESCAPED_REST = {q: re.compile(rf"(?:[^{q}\\\n]|\\[^{q}\n])*+(?P<close>\\?{q})")
                 for q in ("\"", "'", "`")}
_BARE_REST = re.compile(rf"{_BARE}*+(?=[\s,;#<)\\]|$)", re.MULTILINE)
# A whole line of data: YAML (`password: v`, or the value alone on the next line, after a
# comment or not; a quoted key's in YAML's kinds), dotenv, INI, .properties, a shell
# `export`. Their parsers read an unquoted value to the end of the line: `#` starts a
# comment only after a blank, and `( ) [ ] { } > \\ "` inside are the value's, where
# `_ASSIGN`'s value (code's delimiters) stops or fails. `:=` (a Makefile's, Go's) is one
# operator: read as `:`, its `=` began the value (`=changeme`, no stand-in).
_DATA_LINE = re.compile(
    r"""[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?(?P<k>["']?)(?P<name>[A-Za-z_][\w.-]{0,80})(?P=k)"""
    rf"""[ \t]*(?P<op>:?=|:(?!=)(?:[ \t]*(?:{BLOCK_HEADER}[ \t]*|[ \t]\#[^\n]*)?\r?\n[ \t]+)?)"""
    r"""[ \t]*"""
    r"""(?P<bare>[^\s"'`#\[{(|>&*!%@,-][^\s]*)[ \t]*(?:[ \t]#[^\n]*)?\r?$""",
    re.MULTILINE)
_DATA_START = re.compile(r"""[^\s"'`#\[{(|>&*!%@,-]""")  # `_DATA_LINE`'s value's first character
_XML = re.compile(r"(?i)<(?P<name>[\w:.-]{0,40}(?:password|secret|token|apikey|api_key)"
                  r"[\w:.-]{0,20})>\s*(?P<value>[^<\s]{6,}+)\s*</")
# `-` first, the look-behind after it (the same matches as `(?<![\w-])--?`): the regex engine
# skips to each `-` instead of trying every position
_FLAG = re.compile(r"(?i)-(?<![\w-]-)-?(?P<name>(?:db-|api-|client-|auth-)?"
                   r"(?:password|passwd|secret|token|api-key|apikey|client-secret))"
                   r"(?:=|\s+)(?P<q>[\"']?)(?P<value>[^\s\"'$]{6,}+)(?P=q)")


# Every secret word is one of these substrings, so a name can only count as a secret on a
# line holding one: the assignment regex runs from those lines only.
_SECRET_SUBSTRING = re.compile(r"(?i)pass|pwd|secret|token|key|auth|cred|pat")
# The same without IGNORECASE, for the lower-cased text of an ASCII text, where it finds the
# same spans six times faster (the regex engine skips to a possible first letter only when
# the case is fixed). Beyond ASCII `(?i)s` also matches `ſ`, which lower() leaves alone.
_SECRET_SUBSTRING_LOWER = re.compile(r"pass|pwd|secret|token|key|auth|cred|pat")


def assignments(text: str, *, prefilter: bool = True, syntax: Syntax = Syntax.LINES,
                references: frozenset[Reference] = NONE) -> Iterator[Candidate]:
    """Secret-named assignments in `text`; `prefilter=False` reads every line, not only
    those holding a secret word (the same candidates, slower). In a program's text
    (`Syntax.program`) no line is data: an unquoted value is an expression (`password:
    plaintext`), in Python one Python parses; in a configuration format's
    (`Syntax.CONFIG`) it is a string.
    `references`: what the file's kind fills in (`references.references_of`)."""
    code, config = syntax.program, syntax is Syntax.CONFIG
    # where a YAML literal after node properties starts (`&pw s3cr3tP4ss`): read there
    tagged: set[int] = set()
    # a data line's whole value first: code's delimiters would cut it (`p: Dis#PL0X…`)
    if not code:
        yield from _data_lines(text, prefilter=prefilter, config=config,
                               references=references)
        if Reference.YAML_NODE in references:  # a kind YAML reads
            yield from _yaml_values(text, tagged, prefilter=prefilter, config=config,
                                    references=references)
    pos = 0
    reread_end = -1  # the end of a rejected long value being read once more
    lines = _lines_naming_a_secret(text) if prefilter else _every_line(text)
    for line_start, line_end in lines:
        pos = max(pos, line_start)
        # a value may start on the next line (a YAML block scalar), never further
        following = text.find("\n", line_end + 1)
        stop = len(text) if following < 0 else following
        while (match := _ASSIGN.search(text, pos, stop)) and match.start() < line_end:
            if match.group("long") is not None or match.group("longbare") is not None:
                long, pos = _long_value(match, config=config, syntax=syntax,
                                        references=references)
                yield from long
                if not long and pos > match.end("name") and match.start() >= reread_end:
                    # a rejected long value may hold the real one, as a shorter one may
                    # (JSON in a string: `'{\"password\": \"…\"}'`): read once more from
                    # after its name, one level deep, so each character is read at most twice
                    reread_end, pos = pos, match.end("name")
                continue
            group = "quoted" if match.group("quoted") else "bare"
            # after `(` or `,` only a string literal is a value: `f(key_size=2048,` is code;
            # and `,` pairs a name with a value only as a call's first two arguments
            # (`setdefault("API_TOKEN", "…")`), not in a list of names (`["password","unescape"]`)
            code_argument = (group == "bare" and match.group("op") in ("(", ",")) or (
                match.group("op") == "," and not _opens_call(text, match.start("name"))
            ) or (Reference.YAML_NODE in references and _yaml_properties(match, group, tagged))
            plain = group == "quoted" or (
                not code and _env_line(text, line_start, line_end, match))
            if not code_argument and secret_value(match.group("name"), literal_text(match, group),
                                                  bare=group == "bare", plain=plain,
                                                  config=config and plain, syntax=syntax,
                                                  references=references):
                yield (match.start(group), match.end(group),
                       generic_rule(match.group("name")),
                       "Hard-coded credential in an assignment", 0.7)
                pos = match.end()
            else:  # a rejected match may hide the real one inside it: `f(user, token="…")`
                pos = match.end("name")
    for regex in (_XML, _FLAG):
        for match in regex.finditer(text):
            if secret_value(match.group("name"), match.group("value"), bare=True,
                            plain=regex is _XML, syntax=syntax, references=references):
                yield (match.start("value"), match.end("value"),
                       generic_rule(match.group("name")), "Hard-coded credential", 0.7)


def _long_value(match: re.Match[str], *, config: bool, syntax: Syntax,
                references: frozenset[Reference]) -> tuple[list[Candidate], int]:
    """A value longer than `_ASSIGN`'s window, read on to its end (`_QUOTED_REST`,
    `_ESCAPED_REST`, `_BARE_REST`) and judged whole, as a shorter one is; and where the next
    search starts: after the value (its text is read once), or after the name when the value
    does not end on its line or is a call's argument list (`dict(token=…)`: the assignment
    inside it is read next, as it is in a shorter one)."""
    text, quoted = match.string, match.group("long") is not None
    start = match.start("long" if quoted else "longbare")
    window = match.end("long" if quoted else "longbare")
    escaped = quoted and text[match.start("q") - 1:match.start("q")] == "\\"
    reading = (_ESCAPED_REST if escaped else _QUOTED_REST)[match.group("q")] if quoted \
        else _BARE_REST
    rest = reading.match(text, window)
    op = match.group("op")
    if rest is None or (not quoted and op in ("(", ",")):
        return [], match.end("name")
    if quoted and op == "," and not _opens_call(text, match.start("name")):
        return [], rest.end()  # a list of names, as in `_ASSIGN`'s reading
    end = rest.start("close") if quoted else rest.end()
    value = text[start:end]
    if quoted and match.group("q") == "`":
        value = INTERPOLATION.sub("", value)
    if not secret_value(match.group("name"), value, bare=not quoted, plain=quoted,
                        config=config and quoted, syntax=syntax, references=references):
        return [], rest.end()
    return [(start, end, generic_rule(match.group("name")),
             "Hard-coded credential in an assignment", 0.7)], rest.end()


def _data_lines(text: str, *, prefilter: bool, config: bool,
                references: frozenset[Reference]) -> Iterator[Candidate]:
    """Unquoted values of whole lines of data, read as the formats' parsers read them; in a
    configuration format's file (`config`) a lower-case word after ` = ` is one too."""
    lines = _lines_naming_a_secret(text) if prefilter else _every_line(text)
    yaml = Reference.YAML_NODE in references
    for line_start, line_end in lines:
        following = text.find("\n", line_end + 1)  # a YAML value on the next line
        stop = len(text) if following < 0 else following
        match = _DATA_LINE.match(text, line_start, stop)
        if match is not None and yaml and inside_flow(text, line_start):
            continue  # a flow collection's entries: `yaml_entries` reads them
        # a quoted key is YAML's (`"password": v`), read in YAML's kinds only
        if match is None or (match.group("k") and (Reference.YAML_NODE not in references
                                                   or not match.group("op").startswith(":"))):
            continue
        value = match.group("bare")
        # `a=b` is data here, where `f(key_size=2048` is code
        if not code_value(value, yaml=yaml) \
                and DATA_REF.match(value) is None \
                and secret_value(match.group("name"), value, bare=False, config=config,
                                 plain=_data_value(text, line_start, line_end, match,
                                                   config=config), references=references):
            yield (match.start("bare"), match.end("bare"), generic_rule(match.group("name")),
                   "Hard-coded credential in an assignment", 0.7)


def _yaml_values(text: str, tagged: set[int], *, prefilter: bool, config: bool,
                 references: frozenset[Reference]) -> Iterator[Candidate]:
    """The values YAML writes where a line's reading misses them, each judged as the same
    value on a line of its own is, a data line's or a bare one's: after an anchor or a
    string tag (`password: !!str hunter2Secret`, `password: &pw s3cr3tP4ss`: `yaml_nodes`,
    where their properties start is added to `tagged`), and in a flow mapping (`{user: x,
    password: S3cr3tValue!}`: `yaml_entries`), but a tag's or an alias's reference."""
    lines = list(_lines_naming_a_secret(text) if prefilter else _every_line(text))
    for literal in literals(text, lines):
        tagged.add(literal.at)
        yield from _yaml_value(text, literal, config=config, references=references)
    for literal in flow_values(text, lines):
        if not _a_yaml_reference(text[literal.start:literal.end]):
            yield from _yaml_value(text, literal, config=config, references=references)


def _yaml_value(text: str, literal: Literal, *, config: bool,
                references: frozenset[Reference]) -> Iterator[Candidate]:
    value = text[literal.start:literal.end]
    if literal.quoted or (_DATA_START.match(value) and not code_value(value, yaml=True)
                          and not DATA_REF.match(value)):
        found = secret_value(literal.name, value, bare=False, plain=True, config=config,
                             references=references)
    else:  # as `_ASSIGN` reads a bare value
        found = secret_value(literal.name, value, bare=True, references=references)
    if found:
        yield (literal.start, literal.end, generic_rule(literal.name),
               "Hard-coded credential in an assignment", 0.7)


def _yaml_properties(match: re.Match[str], group: str, tagged: set[int]) -> bool:
    """Whether a bare value right after `name:` on its line is a YAML tag, alias or anchor,
    not the value: a reference (`!ImportValue x`, `*db_password`), or node properties whose
    literal `_yaml_values` read (at a start in `tagged`). A block scalar's text (`|` and
    `!Welcome1` below it) is literal, and properties whose literal was not read are judged
    as the value they look like."""
    if group != "bare" or _YAML_OP.fullmatch(match.group("op")) is None:
        return False
    return _a_yaml_reference(match.group("bare")) or match.start("bare") in tagged


def _a_yaml_reference(value: str) -> bool:
    """Whether an unquoted value starts with a YAML tag that is not a string's or is an
    alias (`yaml_nodes.is_reference`). An alias names an anchor as a key is named: a
    password or a random key after `*` is the value (`*s3cr3tP4ss`, `*Xk9…`)."""
    alias = value.startswith("*") and (not is_name(value[1:])
                                       or secret_value("secret", value[1:], bare=False))
    return is_reference(value) and not alias


_YAML_OP = re.compile(r":[ \t]+")  # `password:!x` is no mapping in YAML: a plain scalar


def _opens_call(text: str, name_start: int) -> bool:
    """Whether the name at `name_start` is a string literal, a call's first argument
    (`setdefault("API_TOKEN", "…")`): an unquoted name is a variable passed on to the call
    (`join(pwd, './data/x.csv')`, `pwd` the working directory), not a key."""
    if text[name_start - 1:name_start] not in ("\"", "'", "`"):
        return False
    before = text[max(0, name_start - 40):name_start].rstrip("\"'` \t")
    return before.endswith("(")


def _lines_naming_a_secret(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of each line holding a secret word, in order, once each."""
    if text.isascii():
        words, searched = _SECRET_SUBSTRING_LOWER, text.lower()
    else:
        words, searched = _SECRET_SUBSTRING, text
    hit = words.search(searched)
    while hit:
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.end())
        end = len(text) if end < 0 else end
        yield start, end
        # on to the next line: a minified line may hold thousands (no word spans a newline)
        hit = words.search(searched, end + 1) if end < len(text) else None


def _every_line(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of each line, as `_lines_naming_a_secret` gives them."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield start, end
        start = end + 1


def _env_line(text: str, line_start: int, line_end: int, match: re.Match[str]) -> bool:
    """Whether a bare value is a whole `NAME=value` line of a dotenv, shell or properties
    file (`REACT_APP_AUTH_PASSWORD=whiteduke`, `# export DB_PASS=…`, `db.password=…`): no
    blank around the `=`, nothing before the name, at most a comment after the value."""
    if match.group("op") != "=" or text[match.start("op") - 1] in " \t" \
            or text[match.end("op"):match.end("op") + 1] in (" ", "\t"):
        return False
    return bool(_LINE_HEAD.fullmatch(text, line_start, match.start("name"))
                and _LINE_TAIL.fullmatch(text, match.end("bare"), line_end))


def _data_value(text: str, line_start: int, line_end: int, match: re.Match[str], *,
                config: bool) -> bool:
    """Whether a whole data line's bare value is delimited as data, where a password may be
    a word (`_chosen_password`): a dotenv line (`_env_line`), or a value as YAML, INI, a
    Makefile or .properties writes it (`PASSWORD: correcthorsebatterystaple`, `- DB_PASS=
    hardcoded4`, `pwd:=hunter`), where detect-secrets reports a `Secret Keyword`. Not a name
    as code writes it: `password: hashedPassword` (a JavaScript object's last entry),
    `pwd = user_pwd`; and after a blank and `=` or `:=`, not a lower-case word either
    (`password = credentials` in Python, `password := generated` in Go: gofmt spaces it)
    unless the file is a configuration format's (`config`), where any value is a string:
    INI's `password = hardcoded`, YAML's `password: s3cr3tP4ss` (a camelCase word there is
    a password as people choose them, not a variable's name)."""
    if config or _env_line(text, line_start, line_end, match):
        return True
    value = match.group("bare")
    if _CODE_NAME.fullmatch(value):
        return False
    spaced = match.group("op") != ":" and text[match.start("op") - 1] in " \t"
    return not (spaced and _LOWER_WORD.fullmatch(value))


# camelCase, PascalCase and snake_case names: variables, not values
_CODE_NAME = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+|(?:[A-Z][a-z0-9]+){2,}"
                        r"|[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)+")
_LOWER_WORD = re.compile(r"[a-z][a-z0-9]*")
_LINE_HEAD = re.compile(r"[ \t]*(?:#[ \t]*)?(?:export[ \t]+)?")
_LINE_TAIL = re.compile(r"[ \t]*(?:#.*)?\r?")
