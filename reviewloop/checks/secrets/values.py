"""Value checks shared by every secrets layer: placeholders, plain fixtures, entropy."""

from __future__ import annotations

import math
import re
from collections import Counter

_PLACEHOLDER = re.compile(
    # a template expression (`${VAR}`, `{{ .Values.x }}`, `$(cmd)`), not a brace in a key
    r"(?i)\$\{[\w.:\-?|/ ]*\}|\{\{[^{}]*\}\}|\$\(|%\(|%s\b|^\$[A-Za-z_]|^\$\{|^\{\{|"
    r"^<.*>$|^\[.*\]$|^\*+$|\.\.\.|…|"
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
    body = _VENDOR_PREFIX.sub("", value)  # past a vendor prefix like ghp_
    if len(set(body)) <= 3 and len(body) >= 6:
        return True
    if _FIXTURE_RUN.search(body):
        return True
    return any(seq in body.lower() for seq in ("abcdefghij", "0123456789", "1234567890"))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_VENDOR_PREFIX = re.compile(r"^[A-Za-z]{2,8}[_-]")
# runs of x, 0 or *, one character 8 times, or a unit of 2-4 characters 5 times
_FIXTURE_RUN = re.compile(r"(?i)x{6,}|0{8,}|\*{4,}|(.)\1{7,}|(..(?:.|..)?)\2{4,}")
_CLASSES = tuple(re.compile(p) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters `value` uses."""
    return sum(bool(p.search(value)) for p in _CLASSES)


def weak_password(password: str) -> bool:
    """A URL password that is a template or a well-known default, not a leak."""
    return looks_placeholder(password) or password.lower() in {
        "pass", "password", "secret", "postgres", "root", "admin", "user", "guest", "test",
        "mysql", "redis", "rabbitmq", "changeme", "pwd", "passwd", "x", "token"}


