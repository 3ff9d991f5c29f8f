"""The secrets scanner: hard-coded credentials in added lines and in outgoing text.

Three layers, merged by span (the first layer to claim a span keeps it):

1. `reviewloop.checks.secrets.rules.RULES` — documented token formats (vendor prefixes, key blocks,
   connection strings, credentials in URLs and headers);
2. keyword-anchored assignments (`password = "…"`, `secret_key: …`, `--api-key=…`,
   `<password>…</password>`) whose value passes placeholder, length and entropy checks;
3. detect-secrets' format plugins (its entropy and keyword plugins are left out: they flag
   lockfile hashes and commit SHAs and are covered by layer 2).

Documented example keys (AWS's `AKIAIOSFODNN7EXAMPLE`, jwt.io's sample token) ARE reported
when they match a vendor format: they have a real key's shape, labelled corpora count such
keys as secrets, and the fix (read it from the environment) costs the same. Their
confidence is lowered to 0.5 so a reader can tell them apart. Fixtures that are plainly
fake — `xxxx…`, `0000…`, `<your-key>`, `${VAR}`, one repeated character — are not reported.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from pydantic import BaseModel, ConfigDict

from reviewloop.checks.secrets.rules import RULES, Rule
from reviewloop.diff import parse_diff
from reviewloop.findings import Finding, Severity

SOURCE = "secrets"
EXAMPLE_CONFIDENCE = 0.5
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
    # character offsets in the scanned text, for redaction; from scan_added_lines, offsets
    # in the run of consecutive added lines the hit was found in
    start: int
    end: int


def scan_text(text: str, *, path: str = "<text>") -> list[SecretHit]:
    """Every secret in `text`, in order of position."""
    spans: list[tuple[int, int, str, str, float]] = []
    for start, end, rule, description, confidence in _candidates(text):
        if any(start < e and s < end for s, e, *_ in spans):
            continue
        spans.append((start, end, rule, description, confidence))
    spans.sort()
    return [_hit(text, path, *span) for span in spans]


def scan_added_lines(diff_text: str) -> list[SecretHit]:
    """Secrets on the `+` lines of a unified diff, located by file and new-file line.

    Consecutive added lines are scanned together so a key block added whole is one hit.
    """
    hits: list[SecretHit] = []
    for file in parse_diff(diff_text).files:
        for first, lines in _runs((a.line, a.text) for a in file.added):
            for hit in scan_text("\n".join(lines), path=file.path):
                hits.append(hit.model_copy(update={"line": hit.line + first - 1}))
    return hits


def redact(text: str) -> str:
    """`text` with every secret replaced by `[REDACTED:<rule>]`."""
    out, last = [], 0
    for hit in scan_text(text):
        out += [text[last:hit.start], f"[REDACTED:{hit.rule}]"]
        last = hit.end
    return "".join(out) + text[last:]


def to_findings(hits: Iterable[SecretHit], agent: str = "review-security") -> list[Finding]:
    """Each hit as a must_fix finding from the `secrets` source."""
    return [Finding(
        severity=Severity.MUST_FIX, file=hit.path, start_line=hit.line, end_line=hit.line,
        title=f"Hard-coded secret: {hit.description}",
        rationale=(f"`{hit.preview}` at column {hit.column} matches the {hit.rule} rule. A "
                   "secret committed to the repository is readable by anyone with the "
                   "code or its history, and stays valid until it is rotated."),
        suggestion=("Rotate the credential, then read it from the environment or a secret "
                    "manager instead of the source."),
        confidence=hit.confidence, agent=agent, source=SOURCE, rule=hit.rule,
    ) for hit in hits]


# --- candidates ----------------------------------------------------------------------------

_Candidate = tuple[int, int, str, str, float]


def _candidates(text: str) -> Iterator[_Candidate]:
    for rule in RULES:
        yield from _rule_matches(rule, text)
    yield from _assignments(text)
    yield from _detect_secrets(text)


def _rule_matches(rule: Rule, text: str) -> Iterator[_Candidate]:
    for match in rule.pattern.finditer(text):
        group = rule.group if rule.group in match.re.groupindex else 0
        value = match.group(group)
        if not value or looks_fake(value) or _VENDOR_PLACEHOLDER.search(value) \
                or entropy(value) < rule.min_entropy:
            continue
        if rule.id in ("connection-string-password", "basic-auth-url") and _weak(value):
            continue
        confidence = rule.confidence
        if any(marker in value for marker in _EXAMPLE_MARKERS):
            confidence = EXAMPLE_CONFIDENCE
        yield match.start(group), match.end(group), rule.id, rule.description, confidence


_VENDOR_PLACEHOLDER = re.compile(
    r"(?i)your[_-]|[_-]here\b|placeholder|redacted|<[a-z_ -]+>|\$\{|\{\{")

# Names are judged word by word (`dbPassword` → db, password; `MaxKeyframe` → max,
# keyframe), so `keyframe`, `monkey` or `bypass` never count as a key or a password.
_PASSWORD_WORDS = frozenset({"password", "passwd", "passwort", "pwd", "pass", "passphrase"})
_SECRET_WORDS = _PASSWORD_WORDS | frozenset({
    "secret", "secrets", "token", "tokens", "key", "keys", "apikey", "auth", "credential",
    "credentials", "creds", "privatekey", "accesskey", "secretkey", "authtoken", "pat"})
_NOT_SECRET_LAST = frozenset({
    "id", "ids", "url", "uri", "urls", "endpoint", "path", "file", "dir", "name", "names",
    "type", "length", "len", "size", "count", "header", "field", "format", "env", "var",
    "prefix", "suffix", "hash", "sha", "checksum", "digest", "fingerprint", "pattern",
    "regex", "policy", "expiry", "expires", "expiration", "ttl", "timeout", "method", "mode",
    "scope", "label", "required", "enabled", "provider", "version", "style", "class",
    "index", "limit", "source", "location", "ref", "column", "param", "kind", "algorithm",
    "bits", "selector", "code", "store", "ring", "pair", "vault", "usage", "set"})
_NOT_SECRET_ANY = frozenset({
    "public", "pub", "publishable", "cache", "idempotency", "partition", "sort", "primary",
    "foreign", "lookup", "csrf", "xsrf", "max", "min", "hotkey", "placeholder", "num"})


def _words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", name)]


def _names_a_secret(name: str) -> bool:
    words = _words(name)
    return (bool(words) and any(w in _SECRET_WORDS for w in words)
            and words[-1] not in _NOT_SECRET_LAST
            and not any(w in _NOT_SECRET_ANY for w in words))


def _names_a_password(name: str) -> bool:
    return any(w in _PASSWORD_WORDS for w in _words(name))


_ASSIGN = re.compile(
    r"""(?<![\w$@./-])(?P<name>[A-Za-z_$@][\w.-]{0,80})"""
    r"""(?:[ \t]+(?:string|String|str|&str|\[\]byte|bytes|char\*?|const|final))?"""  # Go, C
    r"""\\?["'\]]{0,3}[ \t]*(?::[ \t]*[A-Za-z_][\w\[\], |.]*?[ \t]*)?"""  # py annotation
    r"""(?P<op>:{1,3}=|\?\?=|[.+?]=|=>|(?<![=!<>])=(?!=)|:(?![:=])[ \t]*(?:[|>][-+]?[ \t]*\n)?"""
    r"""|,|\(|[ \t]+(?=\\?["'`]))[ \t]*"""
    r"""(?:\\?(?P<q>["'`])(?P<quoted>(?:(?!(?P=q))[^\\\n]|\\.){1,300}?)\\?(?P=q)"""
    r"""|(?P<bare>[^\s"'`,;#(){}\[\]<>\\]{1,300})(?=[\s,;#<)\\]|$))""", re.MULTILINE)
_XML = re.compile(r"(?i)<(?P<name>[\w:.-]{0,40}(?:password|secret|token|apikey|api_key)"
                  r"[\w:.-]{0,20})>\s*(?P<value>[^<\s]{6,300})\s*</")
_FLAG = re.compile(r"(?i)(?<![\w-])--?(?P<name>(?:db-|api-|client-|auth-)?"
                   r"(?:password|passwd|secret|token|api-key|apikey|client-secret))"
                   r"(?:=|\s+)(?P<q>[\"']?)(?P<value>[^\s\"'$]{6,300})(?P=q)")
_CODE_REF = re.compile(
    r"^(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Z]+(?:_[A-Z0-9]+)*|(?i:true|false|null|none|nil|"
    r"undefined|yes|no|on|off|required|optional|str|string|bytes|int|bool))$")


def _assignments(text: str) -> Iterator[_Candidate]:
    pos = 0
    while match := _ASSIGN.search(text, pos):
        group = "quoted" if match.group("quoted") else "bare"
        if _secret_value(match.group("name"), match.group(group), bare=group == "bare"):
            yield (match.start(group), match.end(group), _generic_rule(match.group("name")),
                   "Hard-coded credential in an assignment", 0.7)
            pos = match.end()
        else:  # a rejected match may hide the real assignment inside it: `f(user, token="…")`
            pos = match.end("name")
    for regex in (_XML, _FLAG):
        for match in regex.finditer(text):
            if _secret_value(match.group("name"), match.group("value"), bare=True):
                yield (match.start("value"), match.end("value"),
                       _generic_rule(match.group("name")), "Hard-coded credential", 0.7)


def _generic_rule(name: str) -> str:
    return "generic-password" if _names_a_password(name) else "generic-secret"


def _secret_value(name: str, value: str, *, bare: bool) -> bool:
    """Whether `value`, assigned to `name`, looks like a real credential."""
    if not _names_a_secret(name):
        return False
    if looks_placeholder(value) or looks_fake(value):
        return False
    if bare and (_CODE_REF.match(value) or value.endswith(("(", ")"))):
        return False
    if _WORDY.fullmatch(value):
        return False  # words: a label, a setting or file name, not a random key
    # keys: gitleaks' generic threshold (3.5 bits). Passwords are short, so entropy is
    # capped by their length; a word-then-digits shape (`Comp4567@@`) is a sample instead.
    if _names_a_password(name):
        return (len(value) >= 8 and _char_classes(value) >= 2 and entropy(value) >= 2.8
                and not _HUMAN.fullmatch(value))
    if re.fullmatch(r"[0-9a-fA-F]{16,}", value):  # hex tops out at 4 bits a character
        return _char_classes(value) >= 2 and entropy(value) >= 3.0
    return len(value) >= 10 and _char_classes(value) >= 2 and entropy(value) >= 3.5


_HUMAN = re.compile(r"[A-Za-z]{2,12}\d{1,6}[\W_]{0,3}")
# `DOC_Vector_5_32`, `SalesResults-1.2`, `app-decryption-secret`, `MyServiceName`
_WORDY = re.compile(r"[A-Za-z]+\d{0,2}(?:[_ .-](?:[A-Za-z]+\d{0,2}|\d{1,4}))+"
                    r"|[A-Z]?[a-z]+(?:[A-Z][a-z]+)+|[a-z]+")


# --- value checks --------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?i)\$\{|\{\{|\$\(|%\(|%s\b|^\$[A-Za-z_]|^<.*>$|^\[.*\]$|^\*+$|\.\.\.|…|"
    r"process\.env|os\.environ|getenv|env\[|\benv\(|secrets\.|vault:|\bref\+|"
    r"change[_ .-]?me|changeit|replace[_ .-]?(?:me|with|this)|your[_ .-]|placeholder|"
    r"example|sample|dummy|fake|mock|redacted|xxxx|\*\*\*|todo|fixme|insert|"
    r"^(?:password|passwd|secret|token|test\w{0,4}|admin\w{0,3}|root|guest|user|default|"
    r"foo|bar|foobar|hunter2|letmein|qwerty|abc123|123456\d*|none|null|empty|pass|"
    r"api[_-]?key|secret[_-]?key|n/?a)$")


def looks_placeholder(value: str) -> bool:
    """A value that stands for a secret rather than being one: `${VAR}`, `<your-key>`, …"""
    return bool(_PLACEHOLDER.search(value))


def looks_fake(value: str) -> bool:
    """A token-shaped value that is plainly a fixture: runs of x/0/*, one repeated char,
    an ascending alphabet."""
    body = re.sub(r"^[A-Za-z]{2,8}[_-]", "", value)  # past a vendor prefix like ghp_
    if len(set(body)) <= 3 and len(body) >= 6:
        return True
    if re.search(r"(?i)x{6,}|0{8,}|\*{4,}|(.)\1{7,}", body):
        return True
    return any(seq in body.lower() for seq in ("abcdefghij", "0123456789", "1234567890"))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _char_classes(value: str) -> int:
    return sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))


def _weak(password: str) -> bool:
    """A URL password that is a template or a well-known default, not a leak."""
    return looks_placeholder(password) or password.lower() in {
        "pass", "password", "secret", "postgres", "root", "admin", "user", "guest", "test",
        "mysql", "redis", "rabbitmq", "changeme", "pwd", "passwd", "x", "token"}


# --- detect-secrets layer ------------------------------------------------------------------

_DS_PLUGINS = (
    "ArtifactoryDetector", "AWSKeyDetector", "AzureStorageKeyDetector", "BasicAuthDetector",
    "CloudantDetector", "DiscordBotTokenDetector", "GitHubTokenDetector",
    "GitLabTokenDetector", "IbmCloudIamDetector", "IbmCosHmacDetector", "JwtTokenDetector",
    "MailchimpDetector", "NpmDetector", "OpenAIDetector", "PrivateKeyDetector",
    "PypiTokenDetector", "SendGridDetector", "SlackDetector", "SoftlayerDetector",
    "SquareOAuthDetector", "StripeDetector", "TelegramBotTokenDetector", "TwilioKeyDetector")


_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_+/=.-]*")


# Every format those plugins know has a 16-character run or a `user:pass@` URL.
_DS_WORTH_A_LOOK = re.compile(r"[A-Za-z0-9_+/=-]{16}|://[^\s/]*:[^\s/]*@")


def _detect_secrets(text: str) -> Iterator[_Candidate]:
    """detect-secrets' format plugins, line by line; a missing install skips this layer
    (the rule table covers every format these plugins know)."""
    scan = _ds_scanner()
    if scan is None:
        return
    starts, lines, offset = [], [], 0
    for line in text.split("\n"):
        # minified blobs (> 2000 characters) are left to the rule table
        if len(line) <= 2000 and _DS_WORTH_A_LOOK.search(line):
            starts.append(offset)
            lines.append(line)
        offset += len(line) + 1
    for start, line, found in zip(starts, lines, scan(lines), strict=True):
        for kind, value in found:
            value = value.lstrip(" \t=:\"'")  # some patterns capture the delimiter before
            at = line.find(value)
            if at < 0:
                continue
            # some plugins report only the token's prefix: widen to the whole token
            end = _TOKEN_TAIL.match(line, at + len(value)).end()
            if not looks_fake(line[at:end]) and not looks_placeholder(line[at:end]):
                yield (start + at, start + end, _ds_rule(kind), f"{kind} (detect-secrets)",
                       0.8)


_DS_LOCK = threading.Lock()  # detect-secrets keeps its settings in module globals


@cache
def _ds_scanner() -> Callable[[list[str]], list[list[tuple[str, str]]]] | None:
    try:
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import transient_settings
    except ImportError:
        return None
    config = {"plugins_used": [{"name": name} for name in _DS_PLUGINS]}

    def scan(lines: list[str]) -> list[list[tuple[str, str]]]:
        if not lines:
            return []
        with _DS_LOCK, transient_settings(config):
            return [[(s.type, s.secret_value) for s in scan_line(line) if s.secret_value]
                    for line in lines]
    return scan


def _ds_rule(kind: str) -> str:
    return "ds-" + re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


# --- positions -----------------------------------------------------------------------------

def _hit(text: str, path: str, start: int, end: int, rule: str, description: str,
         confidence: float) -> SecretHit:
    line = text.count("\n", 0, start) + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    value = text[start:end]
    return SecretHit(rule=rule, description=description, path=path, line=line,
                     column=start - line_start + 1,
                     end_column=min(end, line_end) - line_start + 1,
                     preview=preview(value), confidence=confidence, start=start, end=end)


def preview(value: str) -> str:
    """At most 4 leading characters (fewer for a short value), then `…[redacted]`."""
    return value[:min(4, len(value) // 5)] + "…[redacted]"


def _runs(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """Consecutive (number, text) lines grouped as (first number, texts)."""
    first, texts, last = 0, [], -1
    for number, text in lines:
        if texts and number != last + 1:
            yield first, texts
            texts = []
        if not texts:
            first = number
        texts.append(text)
        last = number
    if texts:
        yield first, texts


def redact_finding(finding: Finding) -> Finding:
    """The finding with every secret in its text replaced: findings are printed, stored,
    sent to the fixer and posted, and an analyzer's message may quote the value it found."""
    update = {k: redact(v) for k in ("title", "rationale", "suggestion", "replacement")
              if isinstance(v := getattr(finding, k), str) and redact(v) != v}
    return finding.model_copy(update=update) if update else finding
