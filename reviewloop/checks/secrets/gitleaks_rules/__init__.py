"""gitleaks' default rule set as a layer of the secrets scanner: its `config/gitleaks.toml`,
vendored as data (MIT, `LICENSE` beside it), read and judged as gitleaks judges it.

The rule table (`reviewloop.checks.secrets.rules`) and the keyword layer claim their spans
first; this layer adds the vendors they have no row for (about 220 rules, kept up by the
gitleaks project). Per rule: its keywords gate the regex (case-insensitively), the secret is
its `secretGroup` or the first group that matched, its entropy floor applies, a generic rule
needs a digit in the secret, and its allowlists and the global one (regexes on the secret,
the match or the line; stop words) drop a match. A rule that is a path alone (`pkcs12-file`:
a `.p12` or `.pfx` file added or changed) is `file_rules`, asked of each changed file by
`diff_scan`. Other paths are not looked at: a rule for one kind
of file (`hashicorp-tf-password` on `*.tf`, `kubernetes-secret-yaml`, `freemius-secret-key`)
is left out, since the text scanned may come from any file, and which files are scanned is
decided by the file classification, not by gitleaks' path allowlists; the keyword and
Kubernetes layers cover those files. `nuget-config-password` is kept, in every file: its
regex is the element itself (`<add key="ClearTextPassword" value="…"/>`), a password
wherever it is written, which no other layer reads.
Go's regex syntax is translated where Python's differs (`\\z`, a flag group in the middle of
a pattern, a POSIX class); a rule that still does not compile is left out and named by
`skipped()`. gitleaks' `generic-api-key` runs after the keyword layer and only where the
name assigned to does not say "no secret" (`cache_key`, `publicKey`).

To update: copy gitleaks' `config/gitleaks.toml` over `gitleaks.toml` and run
`tests/checks/secrets/test_gitleaks_rules.py`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from reviewloop.checks.secrets.keywords import LiteralFilter, set_bits
from reviewloop.checks.secrets.secret_names import names_no_secret
from reviewloop.checks.secrets.values import entropy, looks_fake, looks_placeholder
from reviewloop.memo import shared_cache

Candidate = tuple[int, int, str, str, float]  # start, end, rule, description, confidence
CONFIDENCE = 0.8
GENERIC_CONFIDENCE = 0.6  # gitleaks' generic-api-key: a keyword and an entropy floor only


@dataclass(frozen=True)
class _Allow:
    target: str  # "secret", "match" or "line"
    regexes: tuple[re.Pattern[str], ...]
    stopwords: tuple[str, ...]
    all_of: bool  # condition = "AND": every criterion given must hold


@dataclass(frozen=True)
class GitleaksRule:
    id: str
    description: str
    pattern: re.Pattern[str]
    group: int  # 0: the first group that matched, or the whole match
    # `[\w.-]{0,50}?` cut off the pattern's head (a name before the keyword, as most rules
    # open): the regex engine would try it at every position; the match is widened back
    name_prefix: int
    min_entropy: float
    keywords: tuple[str, ...]
    allows: tuple[_Allow, ...]


@dataclass(frozen=True)
class _Config:
    rules: tuple[GitleaksRule, ...]
    allows: tuple[_Allow, ...]  # the global allowlist (on the secret)
    skipped: tuple[str, ...]
    prefilter: LiteralFilter
    generic: int  # the bits of the generic rules


def gitleaks_rules(text: str, *, generic: bool = False) -> Iterator[Candidate]:
    """Every match of gitleaks' default vendor rules in `text` that its allowlists keep;
    with `generic`, of its generic keyword rule (`generic-api-key`) instead, where the name
    assigned to must not say the value is no secret (`cache_key`, `publicKey`)."""
    config = _config()
    passing = config.prefilter.passing(text) & (config.generic if generic else ~config.generic)
    for bit in set_bits(passing):  # in the rules' order, as gitleaks runs them
        for candidate in _matches(config.rules[bit], config.allows, text):
            name = _NAME.match(text, _line_start(text, candidate[0]))
            if not generic or name is None or not names_no_secret(name.group()):
                yield candidate


def skipped() -> tuple[str, ...]:
    """The ids of the rules whose regex does not compile in Python, even translated."""
    return _config().skipped


def _matches(rule: GitleaksRule, allows: tuple[_Allow, ...], text: str) -> Iterator[Candidate]:
    for match in rule.pattern.finditer(text):
        start = _widened(text, match.start(), rule.name_prefix)
        group = rule.group or next(
            (i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)), 0)
        secret = match.group(group)
        if not secret or entropy(secret) < rule.min_entropy:
            continue
        if rule.id.startswith("generic") and not any(c.isdigit() for c in secret):
            continue  # gitleaks: a generic secret holds a digit
        if looks_fake(secret) or looks_placeholder(secret):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", match.end())
        parts = {"secret": secret, "match": text[start:match.end()],
                 "line": text[line_start:None if line_end < 0 else line_end]}
        if any(_allowed(a, parts) for a in (*allows, *rule.allows)):
            continue
        confidence = GENERIC_CONFIDENCE if rule.id.startswith("generic") else CONFIDENCE
        yield match.start(group), match.end(group), rule.id, rule.description, confidence


def _widened(text: str, start: int, most: int) -> int:
    """Where a match at `start` begins with up to `most` name characters before it."""
    at = start
    while at > start - most and at > 0 and (text[at - 1].isalnum() or text[at - 1] in "_.-"):
        at -= 1
    return at


def _allowed(allow: _Allow, parts: dict[str, str]) -> bool:
    checks = []
    if allow.regexes:
        checks.append(any(r.search(parts[allow.target]) for r in allow.regexes))
    if allow.stopwords:
        secret = parts["secret"].lower()
        checks.append(any(word in secret for word in allow.stopwords))
    return bool(checks) and (all(checks) if allow.all_of else any(checks))


# --- loading -------------------------------------------------------------------------------

# path-scoped rules whose regex holds in any file (see the module docstring)
_PATH_FREE = frozenset({"nuget-config-password"})


@dataclass(frozen=True)
class FileRule:
    """A rule with a `path` and no `regex` (`pkcs12-file`): the file is the finding."""

    id: str
    description: str
    path: re.Pattern[str]


@shared_cache  # a review asks for both tables: the 100 kB file read once (~10 ms), not twice
def _vendored() -> dict[str, Any]:
    """`gitleaks.toml` as read; its readers only read it."""
    return tomllib.loads(resources.files(__name__).joinpath("gitleaks.toml")
                         .read_text(encoding="utf-8"))


@shared_cache
def file_rules() -> tuple[FileRule, ...]:
    """gitleaks' rules that match a file by its path alone: gitleaks reports each file of a
    commit whose path one matches and whose patch adds something (text or a binary's bytes;
    a rename alone adds nothing)."""
    return tuple(FileRule(entry["id"], entry.get("description", entry["id"]),
                          re.compile(go_regex(entry["path"])))
                 for entry in _vendored()["rules"] if "regex" not in entry and entry.get("path"))


@shared_cache  # the five reviewers' secrets scans start side by side: read and compiled once
def _config() -> _Config:
    raw = _vendored()
    rules, skipped = [], []
    for entry in raw["rules"]:
        if "regex" not in entry or ("path" in entry and entry["id"] not in _PATH_FREE):
            continue  # a rule for one kind of file (`*.tf`): see the module docstring
        try:
            rules.append(_rule(entry))
        except re.error:
            skipped.append(entry["id"])
    allows = tuple(a for a in (_allow(raw.get("allowlist", {})),) if a is not None)
    return _Config(tuple(rules), allows, tuple(skipped), LiteralFilter(
        [(rule.keywords or None, None) for rule in rules]),
        sum(1 << bit for bit, rule in enumerate(rules) if rule.id in _GENERIC))


def _rule(entry: dict) -> GitleaksRule:
    allows = tuple(a for a in map(_allow, entry.get("allowlists", [])) if a is not None)
    regex, prefix = go_regex(entry["regex"]), 0
    head = _NAME_HEAD.match(regex)
    if head:
        regex, prefix = (head.group(1) or "") + regex[head.end():], int(head.group(2))
    return GitleaksRule(
        id=entry["id"], description=entry.get("description", entry["id"]),
        pattern=re.compile(regex), group=int(entry.get("secretGroup", 0)), name_prefix=prefix,
        min_entropy=float(entry.get("entropy", 0.0)),
        keywords=tuple(k.lower() for k in entry.get("keywords", ())), allows=allows)


def _allow(entry: dict) -> _Allow | None:
    regexes = []
    for regex in entry.get("regexes", ()):
        try:
            regexes.append(re.compile(go_regex(regex)))
        except re.error:
            continue  # one allowlist regex Python cannot read: the others still apply
    stopwords = tuple(w.lower() for w in entry.get("stopwords", ()))
    if not regexes and not stopwords:
        return None  # a paths-only allowlist
    return _Allow(target=entry.get("regexTarget", "secret"), regexes=tuple(regexes),
                  stopwords=stopwords, all_of=entry.get("condition", "OR").upper() == "AND"
                  and not entry.get("paths"))


# gitleaks' keyword-and-entropy rule: run after the keyword layer (`assignments`), which
# judges a name word by word, and only where the name does not say "no secret"
_GENERIC = frozenset({"generic-api-key"})
_NAME = re.compile(r"[^\s'\"=:>,|?`]*")


# A name before an assignment. Only a run of name characters is tried, never a part of one:
# the lookahead can hold only where the run ends, so a try inside a run fails as its start
# did, and each such try scanned to the run's end (a 40 kB minified line took a minute).
_ASSIGNED_NAME = re.compile(
    r"(?<![\w.-])[\w.-]+(?=[\s'\"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,))")


def _line_start(text: str, at: int) -> int:
    """Where the generic rule's match of a secret at `at` starts: the name before it."""
    line = text.rfind("\n", 0, at) + 1
    names = list(_ASSIGNED_NAME.finditer(text, line, at))
    return names[-1].start() if names else at
_NAME_HEAD = re.compile(r"(\(\?i\))?\[\\w\.-\]\{0,(\d+)\}\?")
_FLAGS = re.compile(r"\(\?([a-z]+)\)")
_POSIX = {"alnum": "A-Za-z0-9", "alpha": "A-Za-z", "digit": "0-9", "lower": "a-z",
          "upper": "A-Z", "xdigit": "0-9A-Fa-f", "word": "\\w", "space": "\\s"}


def go_regex(regex: str) -> str:
    """A Go (RE2) regex in Python's syntax: `\\z` is `\\Z`, a POSIX class `[:alnum:]` is
    spelled out, and a flag group such as `(?i)` that is not at the start applies, as in
    Go, to the rest of its enclosing group."""
    regex = re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", regex)
    for posix, chars in _POSIX.items():
        regex = regex.replace(f"[:{posix}:]", chars)
    while True:
        flag = next((m for m in _FLAGS.finditer(regex) if m.start() > 0), None)
        if flag is None:
            return regex
        end = _group_end(regex, flag.end())
        regex = (f"{regex[:flag.start()]}(?{flag.group(1)}:{regex[flag.end():end]})"
                 f"{regex[end:]}")


def _group_end(regex: str, at: int) -> int:
    """The index of the `)` closing the group that holds position `at` (or the end)."""
    depth, i, in_class = 0, at, False
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if regex[i + 1:i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(regex)
