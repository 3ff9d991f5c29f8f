"""The secrets scanner: hard-coded credentials in added lines and in outgoing text.

Five layers, merged by span (the first layer to claim a span keeps it):

0. base64 and hex runs that decode to text holding a secret, found by scanning the decoded
   text with every layer (`reviewloop.checks.secrets.decoded`): named by what they hold;
   percent-encoded runs (`?state=ghp%5F…`), decoded in place on their line the same way
   (`reviewloop.checks.secrets.percent`);
   string literals whose escapes hide a secret (`"\\x41KIA…"`, a YAML escaped line break),
   scanned unescaped the same way (`reviewloop.checks.secrets.escaped`); HTML and XML
   character references (`&#103;hp…`, `reviewloop.checks.secrets.charrefs`);
1. `reviewloop.checks.secrets.rules.RULES` — documented token formats (vendor prefixes, key blocks,
   connection strings, credentials in URLs and headers);
2. gitleaks' default rules, vendored (`reviewloop.checks.secrets.gitleaks_rules`): the ~220
   vendors gitleaks keeps up, with its keywords, entropy floors and allowlists;
3. keyword-anchored assignments (`password = "…"`, `secret_key: …`, `--api-key=…`,
   `<password>…</password>`, `DB_PASSWORD=…` lines) whose value passes placeholder, length
   and entropy checks;
4. detect-secrets' plugins for the formats the rule table has no row for (Artifactory,
   Cloudant, IBM Cloud, SoftLayer); see `reviewloop.checks.secrets.ds_layer`.

Documented example values are judged as the public rule suites judge them: AWS's keys ending
in `EXAMPLE` were never issued and are not reported; jwt.io's sample token is a real, signed
token and is reported with its confidence lowered to 0.5. Fixtures that are plainly fake —
`xxxx…`, `0000…`, `<your-key>`, `${VAR}`, one repeated character or a short repeated unit —
are not reported.

Quality is measured by `benchmarks/secrets_parity.py` against every secret scanner on PyPI and
npm, on the test cases five scanners publish, split by source into a half the rules were
tuned on and a half the figures are reported on (benchmarks/data/SOURCES.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from reviewloop.checks.secrets.assignments import Candidate, assignments
from reviewloop.checks.secrets.decoded import decodes_to_text
from reviewloop.checks.secrets.ds_layer import detect_secrets
from reviewloop.checks.secrets.encodings import encoded_candidates
from reviewloop.checks.secrets.gitleaks_rules import gitleaks_rules
from reviewloop.checks.secrets.keywords import LiteralFilter, set_bits
from reviewloop.checks.secrets.known_values import holding, replaced
from reviewloop.checks.secrets.quoted import PASSWORD_RULES, redact_quoted
from reviewloop.checks.secrets.references import NONE, Reference, references_of
from reviewloop.checks.secrets.rules import RULES, Rule
from reviewloop.checks.secrets.syntax import Syntax, syntax_of
from reviewloop.checks.secrets.values import (
    documentation_host,
    entropy,
    looks_fake,
    looks_placeholder,
    weak_password,
)
from reviewloop.findings.schema import Finding, Severity
from reviewloop.findings.titles import short_title
from reviewloop.memo import TextMemo

__all__ = [
    "DOCUMENTATION_CONFIDENCE",
    "EXAMPLE_CONFIDENCE",
    "FINDING_TEXTS",
    "SOURCE",
    "SecretHit",
    "blocking",
    "candidates",
    "claim_spans",
    "entropy",
    "looks_fake",
    "looks_placeholder",
    "preview",
    "redact",
    "redact_around",
    "redact_finding",
    "scan_text",
    "to_findings",
]

SOURCE = "secrets"
EXAMPLE_CONFIDENCE = 0.5
# a URL's credentials for a reserved example name (`user:pw@api.example.com`, RFC 2606/6761):
# they log in nowhere, so the hit is a 🟡 for a human to check and the gate lets it pass
DOCUMENTATION_CONFIDENCE = 0.4
_URL_RULES = ("connection-string-password", "basic-auth-url")
_URL_STOP = re.compile(r"[\s\"'`<>]")


def _url_end(text: str, match: re.Match[str]) -> int:
    """Where the URL a rule matched the head of ends: the host it logs in to may follow
    the match (a second `@`, a list of hosts)."""
    stop = _URL_STOP.search(text, match.end())
    return len(text) if stop is None else stop.start()


# AWS's documented keys end in EXAMPLE; jwt.io's sample token has this payload (John Doe)
_EXAMPLE_MARKERS = ("EXAMPLE", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ijox")


class SecretHit(BaseModel):
    """One secret: where it is, which rule found it, and a preview that does not leak it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    description: str
    path: str
    line: int  # 1-based, in the scanned text (the new file for a diff)
    column: int  # 1-based, where the secret starts on that line
    end_column: int  # 1-based, exclusive; on the first line for a multi-line secret
    preview: str
    confidence: float
    # character offsets in the scanned text, for redaction; from a diff (`diff_scan`),
    # offsets in the run of lines, added and unchanged around them, it was found in
    start: int
    end: int


def scan_text(text: str, *, path: str = "<text>", prefilter: bool = True) -> list[SecretHit]:
    """Every secret in `text`, in order of position. With `prefilter=False` every rule's
    regex runs and the keyword layer reads every line: the filters that skip them only save
    work, so the hits are the same, found slower (a test holds them to that). The file's
    name says how its unquoted values read (`syntax_of`): a program's as code, never as YAML
    or dotenv data; a configuration format's as strings."""
    lines = _LineIndex(text)
    syntax, references = syntax_of(path), references_of(path)
    spans = _spans(text, syntax, references) if prefilter else claim_spans(
        candidates(text, prefilter=False, syntax=syntax, references=references))
    return [_hit(text, lines, path, *span) for span in spans]


def _spans(text: str, syntax: Syntax = Syntax.LINES,
           references: frozenset[Reference] = NONE) -> list[Candidate]:
    """The claimed spans of `text`; a large text's are kept, since the secrets analyzer, the
    secrets gate and redaction scan the same added lines of a round."""
    memo = _SPANS.setdefault((syntax, references), TextMemo(_REMEMBERED_TEXTS))
    return memo.get(text, lambda: claim_spans(
        candidates(text, syntax=syntax, references=references)))


def claim_spans(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates that overlap no earlier one, in order of position: the first layer to
    claim a span keeps it. The claimed spans never overlap each other, so sorted by start
    they are sorted by end too, and one binary search per candidate finds the only two
    neighbours it could overlap (O(n log n), where a scan of every claimed span was
    quadratic)."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Candidate] = []
    for candidate in candidates:
        start, end = candidate[0], candidate[1]
        at = bisect_right(starts, start)
        if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        kept.insert(at, candidate)
    return kept


def redact(text: str) -> str:
    """`text` with every secret replaced by `[REDACTED:<rule>]`: those the scan finds, and
    the values the review's secrets analyzer reported besides (`known_values`)."""
    text = replaced(text)  # before the caches, which are keyed by the text scanned
    if len(text) <= _SHORT:  # a round's prompt `redact_around` redacted, or a finding's text
        known = _REDACTED.known(text)
        return known if known is not None else _redact_short(text)
    # parallel reviewers redacting the same diff: one scan, not five
    return _REDACTED.get(text, lambda: scan_redacted(text))


def redact_around(text: str, clean: str) -> str:
    """`redact(text)` for a text that holds `clean`, a part already redacted (a round's diff,
    redacted file by file): the text before and after it is scanned, `clean` is not scanned
    again, and `redact(text)` answers with this result from then on. A text without
    `clean` in it is scanned whole."""
    text = replaced(text)
    at = text.find(clean) if clean else -1
    if at < 0:
        return redact(text)
    # the parts meet at the diff's fence lines: no secret spans them
    return _REDACTED.get(text, lambda: "".join(
        (redact(text[:at]), clean, redact(text[at + len(clean):]))))


# The last few large texts scanned, and the last texts redacted: every reviewer's prompt
# redacts the same diff (a small change's prompt too, `redact_around`). Bounded; the
# redaction of a short text (a finding's fields) is kept by `_redact_short`.
_REMEMBERED_TEXTS = 16  # a round's chunk prompts and file diffs
# one per way of reading a file (a handful of kinds: made as they are first met)
_SPANS: dict[tuple[Syntax, frozenset[Reference]], TextMemo[list[Candidate]]] = {}
_REDACTED: TextMemo[str] = TextMemo(_REMEMBERED_TEXTS, from_chars=0)


def scan_redacted(text: str) -> str:
    """`text` with what the scan finds in a text of no kind replaced (no held value)."""
    out, last = [], 0
    for hit in scan_text(text):
        out += [text[last:hit.start], f"[REDACTED:{hit.rule}]"]
        last = hit.end
    return "".join(out) + text[last:]


# A finding's title, rationale and suggestion are redacted by every reviewer, the ledger and
# each report view: the same short texts, many times over, each paying the scan's fixed cost.
_SHORT = 4096
_redact_short = lru_cache(maxsize=4096)(scan_redacted)


def blocking(hit: SecretHit) -> bool:
    """Whether `hit` is a must-fix and fails the secrets gate: all but a URL's credentials
    for a reserved example name."""
    return hit.confidence > DOCUMENTATION_CONFIDENCE


def to_findings(hits: Iterable[SecretHit], agent: str = "review-security") -> list[Finding]:
    """Each hit as a must_fix finding from the `secrets` source (should_fix when it is not
    `blocking`)."""
    return [Finding(
        severity=Severity.MUST_FIX if blocking(hit) else Severity.SHOULD_FIX, file=hit.path,
        start_line=hit.line, end_line=hit.line,
        title=short_title(f"Hard-coded secret: {hit.description}"),
        rationale=(f"`{hit.preview}` at column {hit.column} matches the {hit.rule} rule. A "
                   "secret committed to the repository is readable by anyone with the "
                   "code or its history, and stays valid until it is rotated." if blocking(hit)
                   else f"`{hit.preview}` at column {hit.column} matches the {hit.rule} rule "
                   "with a reserved example host (RFC 2606/6761), where it logs in nowhere: "
                   "check it is not a real credential with its host replaced."),
        suggestion=("Rotate the credential, then read it from the environment or a secret "
                    "manager instead of the source."),
        confidence=hit.confidence, agent=agent, source=SOURCE, rule=hit.rule,
    ) for hit in hits]


# --- candidates ----------------------------------------------------------------------------

def candidates(text: str, *, prefilter: bool = True, depth: int = 0,
               syntax: Syntax = Syntax.LINES,
               references: frozenset[Reference] = NONE) -> Iterator[Candidate]:
    """Every rule layer's matches in `text`, overlapping ones included (`claim_spans` keeps
    the first of each): the one place text is read for secrets, so counting its calls counts
    the scanning. `depth`: how many encodings deep `text` was found (`decoded`, `escaped`);
    `syntax`: how the unquoted values of `text`'s file read (`syntax_of`); `references`:
    what its kind fills in (`references_of`)."""
    # what an encoding, an escape or a character reference hides: named by what it holds,
    # before a rule for its shape
    yield from encoded_candidates(text, lambda plain, deeper: claim_spans(
        candidates(plain, prefilter=prefilter, depth=deeper)), depth, references)
    # most rules cannot match: skip their regex (each filter is a necessary condition)
    passing = _prefilter().passing(text) if prefilter else (1 << len(RULES)) - 1
    for bit in set_bits(passing):
        rule = RULES[bit]
        if not prefilter or rule.hint is None or rule.hint.search(text):
            yield from _rule_matches(rule, text)
    # a vendor's rule names the secret better than the keyword layer's generic one
    yield from gitleaks_rules(text)
    yield from assignments(text, prefilter=prefilter, syntax=syntax, references=references)
    yield from detect_secrets(text, prefilter=prefilter)
    yield from gitleaks_rules(text, generic=True)


@cache
def _prefilter() -> LiteralFilter:
    return LiteralFilter([(rule.literals, rule.exact) for rule in RULES])


def _rule_matches(rule: Rule, text: str) -> Iterator[Candidate]:
    for match in rule.pattern.finditer(text):
        group = rule.group if rule.group in match.re.groupindex else 0
        value = match.group(group)
        if not value or _fixture(rule, value) or _VENDOR_PLACEHOLDER.search(value) \
                or entropy(value) < rule.min_entropy:
            continue
        if not _plausible(rule.id, value):
            continue
        confidence = rule.confidence
        if any(marker in value for marker in _EXAMPLE_MARKERS):
            confidence = EXAMPLE_CONFIDENCE
        # the whole URL: the host it logs in to may follow the match (a second `@`, a list)
        if rule.id in _URL_RULES and documentation_host(text[match.start():_url_end(text, match)]):
            confidence = DOCUMENTATION_CONFIDENCE
        yield match.start(group), match.end(group), rule.id, rule.description, confidence


def _plausible(rule_id: str, value: str) -> bool:
    """Rule-specific checks on a matched value."""
    if rule_id in _URL_RULES:
        return not weak_password(unquote(value))
    if rule_id == "aws-secret-access-key":  # 40 random base64 characters hold a digit or
        # a `+` or `/` but for one in a thousand; a 40-letter name never does (a cdk.json
        # flag `"@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal": true`)
        return "EXAMPLE" not in value and re.search(r"[\d+/]", value) is not None
    if rule_id.startswith("aws-"):
        return "EXAMPLE" not in value  # AWS's documented keys, never issued
    if rule_id == "curl-credentials":
        user, _, password = value.replace('"', "").replace("'", "").partition(":")
        secret = password or user
        return (":" in value and len(secret) >= 6 and not weak_password(secret)
                and not re.match(r"[$<\[{(]", secret) and not looks_placeholder(value))
    if rule_id in ("powershell-plaintext-password", "network-credential-password"):
        # a variable's value (`"$env:PASS"`), a template or a stand-in is no password
        return len(value) >= 4 and not weak_password(value) and not looks_placeholder(value)
    if rule_id == "azure-storage-key":  # 64 random bytes: base64 of text is no key
        return not decodes_to_text(value)
    if rule_id == "http-auth-header":  # a digit or mixed case: not a header's word value
        return bool(re.search(r"\d|[A-Z][a-z]|[a-z][A-Z]", value))
    return True


def _fixture(rule: Rule, value: str) -> bool:
    """A plainly fake value. A key block is judged by its body: an OpenSSH key's binary
    header encodes to runs of `A` that would make the whole block look like a fixture, as an
    STS session token's header encodes to `//////////`."""
    if rule.id not in ("private-key", "kubernetes-secret", "aws-session-token"):
        return looks_fake(value)
    body = re.sub(r"-{4,5} ?[A-Z0-9 ]+-{4,5}|\\n|\s", "", value)
    # words like "fake" turn up by chance in a long random body: look for elisions only
    return bool(body) and (entropy(body) < 3.0
                           or re.search(r"(?i)x{6,}|\*{4,}|\.\.\.|…|<[^>]*>", body) is not None)


_VENDOR_PLACEHOLDER = re.compile(  # a word of its own: `1IgRedacted&Qd4…` is a password
    r"(?i)(?<![a-z0-9])your[_-]|[_-]here\b|placeholder|(?<![a-z0-9])redacted(?![a-z0-9])|"
    r"<[a-z_ -]+>|\$\{[\w.:?|/ -]*\}|\{\{[^{}]*\}\}")

# --- positions -----------------------------------------------------------------------------

class _LineIndex:
    """Line numbers of character offsets by binary search over the line starts (counting
    newlines before every hit was quadratic in a text with many hits)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.length = len(text)

    def locate(self, offset: int) -> tuple[int, int, int]:
        """(1-based line, offset of its first character, offset of its end)."""
        index = bisect_right(self.starts, offset) - 1
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else self.length
        return index + 1, self.starts[index], end


def _hit(text: str, lines: _LineIndex, path: str, start: int, end: int, rule: str,
         description: str, confidence: float) -> SecretHit:
    line, line_start, line_end = lines.locate(start)
    value = text[start:end]
    return SecretHit(rule=rule, description=description, path=path, line=line,
                     column=start - line_start + 1,
                     end_column=min(end, line_end) - line_start + 1,
                     preview=preview(value), confidence=confidence, start=start, end=end)


def preview(value: str) -> str:
    """At most 4 leading characters (fewer for a short value), then `…[redacted]`."""
    return value[:min(4, len(value) // 5)] + "…[redacted]"


# a finding's user-visible texts, each redacted (a list item by item); its other fields are
# its identity and place (file, rule, symbol, fingerprints), agents, source and numbers
FINDING_TEXTS = ("title", "rationale", "suggestion", "replacement", "more_here")
_Text = str | tuple[str, ...] | None


def redact_finding(finding: Finding) -> Finding:
    """The finding with every secret in its text (`FINDING_TEXTS`) replaced: findings are
    printed, stored, sent to the fixer and posted, and an analyzer's message may quote the
    value it found; what a password rule quotes is replaced whatever it is (`quoted`), after
    the scan named what it recognised in it (`[REDACTED:github-token]`)."""
    texts = tuple(tuple(v) if isinstance(v := getattr(finding, k), list) else v
                  for k in FINDING_TEXTS)
    quoting = finding.rule if finding.rule in PASSWORD_RULES else None
    # values a review's secrets analyzer reported (`known_values`) first, when any is held
    known = tuple(map(_replaced, texts)) if holding() else texts
    update = {k: list(v) if isinstance(v, tuple) else v
              for k, v, was in zip(FINDING_TEXTS, _redacted_texts(known, quoting), texts,
                                   strict=True) if v != was}
    return finding.model_copy(update=update) if update else finding


def _replaced(value: _Text) -> _Text:
    return replaced(value) if isinstance(value, str) else \
        tuple(map(replaced, value)) if isinstance(value, tuple) else value


# A run redacts each finding several times (its reviewer, the ledger, every report), and
# analyzers repeat the same title, rationale and suggestion across many findings: one look-up
# per finding, not one per field.
@lru_cache(maxsize=4096)
def _redacted_texts(texts: tuple[_Text, ...], quoting: str | None) -> tuple[_Text, ...]:
    """A finding's texts redacted: the scan's (`redact`), then the value a password rule
    (`quoting`, else None) quotes."""
    def clean(text: str) -> str:
        return redact_quoted(quoting, redact(text))
    return tuple(clean(v) if isinstance(v, str) else tuple(map(clean, v))
                 if isinstance(v, tuple) else v for v in texts)
