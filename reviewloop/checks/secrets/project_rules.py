"""The project's own gitleaks rules: the `[[rules]]` of its `.gitleaks.toml`, as the trusted
side has it, run on the change's added lines beside gitleaks' default rules (which the scan
carries). gitleaks loads `<source>/.gitleaks.toml` by itself, so a project that describes its
internal token format there (`acme_live_<hex>`) had plain gitleaks report what the review
passed (fuzz round 9a, D5).

A rule is read as gitleaks 8 reads it: its `regex` (RE2, which Python's `re` reads the same
for the syntax RE2 has), `secretGroup` (else the first group that matched, else the whole
match), `entropy` (the secret's Shannon entropy must exceed it), `keywords` (one must be in
the text, case-folded), `path` (a regex the file's path must match; a rule with a `path` and
no `regex` matches the file itself, which is not a secret on a line and is left out) and its
allowlists (`[[rules.allowlists]]`, the older `[rules.allowlist]`, and the global
`[allowlist]` / `[[allowlists]]`, which `targetRules` may narrow): `regexes` on the secret
(or the match, or the line, by `regexTarget`), `stopwords` in the secret, `paths`, any of
them allowing, or each it names with `condition = "AND"`. A rule's regex is run on each
run of consecutive added lines (it may span them), and one of its keywords must be in that
run, as gitleaks reads a patch's added text. A rule whose regex Python cannot
compile is not run, and the files it would read are named as not fully analysed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.checks.secrets.scanner import SecretHit, preview
from reviewloop.checks.secrets.values import entropy

CONFIG = ".gitleaks.toml"
CONFIDENCE = 0.9


@dataclass(frozen=True)
class Allow:
    regexes: tuple[re.Pattern[str], ...] = ()
    target: str = "secret"  # what `regexes` are asked of: secret, match or line
    stopwords: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()
    every: bool = False  # `condition = "AND"`: each kind it names must allow (else any)
    rules: tuple[str, ...] = ()  # a global one's `targetRules`: only those (none: all)

    def allows(self, rule: str, path: str, secret: str, match: str, line: str) -> bool:
        if self.rules and rule not in self.rules:
            return False
        text = {"match": match, "line": line}.get(self.target, secret)
        answers = [any(p.search(path) for p in self.paths) for _ in self.paths[:1]]
        answers += [any(r.search(text) for r in self.regexes) for _ in self.regexes[:1]]
        answers += [any(word.lower() in secret.lower() for word in self.stopwords)
                    for _ in self.stopwords[:1]]
        return bool(answers) and (all(answers) if self.every else any(answers))


@dataclass(frozen=True)
class ProjectRule:
    id: str
    description: str
    regex: re.Pattern[str]
    secret_group: int = 0
    entropy: float = 0.0
    keywords: tuple[str, ...] = ()
    path: re.Pattern[str] | None = None
    allows: tuple[Allow, ...] = field(default=())


@dataclass(frozen=True)
class ProjectRules:
    rules: tuple[ProjectRule, ...] = ()
    refused: tuple[str, ...] = ()  # why a rule was not run

    def hits(self, path: str, lines: Iterable[tuple[int, str]]) -> Iterator[SecretHit]:
        """Each secret the rules find in the numbered added `lines` of the file `path`, in
        each run of consecutive lines, as gitleaks reads a patch's added text: a rule's
        regex may span the run's lines, and one of its `keywords` must be in the run."""
        for first, text in _runs(lines):
            folded = text.lower()
            for rule in self.rules:
                if rule.path is not None and not rule.path.search(path):
                    continue
                if rule.keywords and not any(k in folded for k in rule.keywords):
                    continue
                yield from self._found(rule, path, first, text)

    def _found(self, rule: ProjectRule, path: str, first: int, text: str
               ) -> Iterator[SecretHit]:
        for match in rule.regex.finditer(text):
            start, secret = _secret(match, rule.secret_group)
            if rule.entropy and entropy(secret) <= rule.entropy:  # gitleaks: must exceed it
                continue
            begins = text.rfind("\n", 0, start) + 1
            ends = text.find("\n", start)
            line = text[begins:ends if ends >= 0 else len(text)]
            if any(a.allows(rule.id, path, secret, match.group(0), line) for a in rule.allows):
                continue
            column = start - begins
            yield SecretHit(  # on the line its match starts, as gitleaks reports it
                rule=rule.id, description=rule.description or rule.id, path=path,
                line=first + text.count("\n", 0, match.start()), column=column + 1,
                end_column=column + len(secret.split("\n", 1)[0]) + 1,
                preview=preview(secret), confidence=CONFIDENCE, start=column,
                end=column + len(secret))


def project_rules(ctx: AnalyzerContext) -> ProjectRules:
    """The trusted side's `.gitleaks.toml` rules; none when it has no such file."""
    text = trusted_text(ctx, CONFIG)
    if text is None:
        return ProjectRules()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return ProjectRules(refused=(f"its {CONFIG} does not parse ({error})",))
    common = tuple(_allows(data.get("allowlists"))) + tuple(_allows([data.get("allowlist")]))
    rules, refused = [], []
    for entry in data.get("rules") or ():
        if not isinstance(entry, dict) or not entry.get("regex"):
            continue  # a path-only rule names a file, not a secret on a line
        try:
            rules.append(_rule(entry, common))
        except (re.error, TypeError, ValueError) as error:
            refused.append(f"the rule {entry.get('id')!r} of its {CONFIG} is not one Python's "
                           f"regular expressions read ({error})")
    return ProjectRules(tuple(rules), tuple(refused))


def _rule(entry: dict[str, Any], common: tuple[Allow, ...]) -> ProjectRule:
    own = tuple(_allows(entry.get("allowlists"))) + tuple(_allows([entry.get("allowlist")]))
    return ProjectRule(
        id=str(entry.get("id") or "project-rule"), description=str(entry.get("description", "")),
        regex=re.compile(str(entry["regex"])), secret_group=int(entry.get("secretGroup", 0)),
        entropy=float(entry.get("entropy", 0.0)),
        keywords=tuple(str(k).lower() for k in entry.get("keywords") or ()),
        path=re.compile(str(entry["path"])) if entry.get("path") else None,
        allows=own + common)


def _allows(entries: Any) -> Iterator[Allow]:
    for entry in entries or ():
        if isinstance(entry, dict):
            yield Allow(tuple(re.compile(str(r)) for r in entry.get("regexes") or ()),
                        str(entry.get("regexTarget", "secret")),
                        tuple(str(w) for w in entry.get("stopwords") or ()),
                        tuple(re.compile(str(p)) for p in entry.get("paths") or ()),
                        str(entry.get("condition", "OR")).upper() == "AND",
                        tuple(str(r) for r in entry.get("targetRules") or ()))


def _runs(lines: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """(first line, text) of each run of consecutive numbered lines."""
    runs: list[tuple[int, list[str]]] = []
    last = None
    for number, text in lines:
        if last is not None and number == last + 1:
            runs[-1][1].append(text)
        else:
            runs.append((number, [text]))
        last = number
    return [(first, "\n".join(texts)) for first, texts in runs]


def _secret(match: re.Match[str], group: int) -> tuple[int, str]:
    """(its start on the line, the secret) of a match, as gitleaks takes it."""
    if group and group <= (match.re.groups or 0) and match.group(group) is not None:
        return match.start(group), match.group(group)
    for index in range(1, (match.re.groups or 0) + 1):
        if match.group(index):
            return match.start(index), match.group(index)
    return match.start(), match.group(0)

