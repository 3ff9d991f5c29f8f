"""The detect-secrets layer of the secrets scanner: its format plugins, line by line.

Its entropy and keyword plugins are left out: they flag lockfile hashes and commit SHAs, and
the keyword layer (`reviewloop.checks.secrets.assignments`) covers them. A missing install
skips this layer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from functools import cache
from itertools import accumulate

from reviewloop.checks.secrets.values import looks_fake, looks_placeholder

Candidate = tuple[int, int, str, str, float]  # start, end, rule, description, confidence

# Only the plugins for formats the rule table has no row for. The others duplicate a row
# with a looser pattern (`xoxb-12345-abcd234`, `…TokenHere`) and, measured on the public
# set (benchmarks/secrets.py), added false alarms and no hit the rule table missed.
_DS_PLUGINS = (
    "ArtifactoryDetector", "CloudantDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
    "SoftlayerDetector")


# The IBM plugins make their vendor word optional (`token = <44 characters>` passes), which
# makes them a second keyword layer: require the vendor on the line.
_DS_CONTEXT = {
    "IBM Cloud IAM Key": re.compile(r"(?i)ibm|iam|cloud"),
    "IBM COS HMAC Credentials": re.compile(r"(?i)ibm|cos|hmac"),
}

_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_+/=.-]*")


# What each of those plugins' patterns need on the line, so the others are never handed to
# detect-secrets (loading it costs ~0.1 s: most code lines, and most findings' texts, hold a
# 16-character run of identifier characters; these are not). Artifactory's AKC…/AP… tokens
# and the Cloudant and SoftLayer URLs need nothing else. Every other pattern is an assignment
# (`build_assignment_regex`, case-insensitive) to a name ending in key, pwd/pw, pass(word) or
# token, of Cloudant's 24-letter API key or a value of 44 or more identifier characters (the
# IBM Cloud IAM key; Cloudant's and SoftLayer's 64, IBM COS HMAC's 48 hex digits): a bandit
# message's `b602_subprocess_popen_with_shell_equals_true` is not one. The classes are the
# plugins' own under the same case folding, so no line a plugin could match is left out
# (tests/checks/secrets/test_ds_layer.py generates lines to hold it to that).
_DS_ALONE = re.compile(r"A(?:KC|P[\dA-F])[a-zA-Z0-9]{8}|(?i:cloudant\.com|softlayer)")
_DS_NAME = re.compile(r"(?i:key|pw|pass|token)")
_DS_VALUE = re.compile(r"(?i:[a-z]{24}|[a-z0-9_-]{44})")


def worth_a_look(line: str) -> bool:
    """Whether one of the plugins' patterns could match `line` (a necessary condition)."""
    if not _has_a_literal(line):
        return False
    return (_DS_ALONE.search(line) is not None
            or (_DS_NAME.search(line) is not None and _DS_VALUE.search(line) is not None))


def _has_a_literal(line: str) -> bool:
    """A necessary condition of the patterns above, five times cheaper than their search
    (a 20k-line change: 19,000 lines, 40 ms a review round): a match of each holds `AKC`,
    `AP` or, case-folded, one of their case-insensitive words. `casefold` maps every
    character the regex engine's ignore-case equates with a letter of these words (`K`,
    `ſ`) to that letter, one character at a time, so a folded match is in the folded line."""
    if "AKC" in line or "AP" in line:
        return True
    folded = line.casefold()
    return ("key" in folded or "token" in folded or "pass" in folded or "pw" in folded
            or "cloudant.com" in folded or "softlayer" in folded)


# `_has_a_literal`'s words, looked for in the whole text at once: (in the text, folded)
_CASED, _FOLDED = ("AKC", "AP"), ("key", "token", "pass", "pw", "cloudant.com", "softlayer")


def _with_a_literal(text: str) -> list[tuple[int, str]]:
    """(where it starts, its text) of each line of `text` that `_has_a_literal` passes, in
    order, found by a search of the whole text for each word, not a look at each line (most
    lines of code hold none). Case folding maps no character to a line break or from one,
    and where the folded text is as long as the text, each character to one: its lines are
    then at the same places; otherwise they are found by number."""
    folded = text.casefold()
    if len(folded) != len(text):
        every = text.split("\n")
        starts = [0, *accumulate(len(line) + 1 for line in every)]
        return [(starts[at], every[at]) for at in sorted(
            {*_numbers(text, _CASED), *_numbers(folded, _FOLDED)})]
    found: dict[int, str] = {}
    for whole, words in ((text, _CASED), (folded, _FOLDED)):
        for word in words:
            position = 0
            while (at := whole.find(word, position)) >= 0:
                start = text.rfind("\n", 0, at) + 1
                end = text.find("\n", at + len(word))
                found[start] = text[start:] if end < 0 else text[start:end]
                if end < 0:
                    break
                position = end + 1
    return sorted(found.items())


def _numbers(whole: str, words: tuple[str, ...]) -> Iterator[int]:
    """The numbers (0-based) of the lines of `whole` holding one of `words`."""
    for word in words:
        line = position = 0
        while (at := whole.find(word, position)) >= 0:
            line += whole.count("\n", position, at)
            yield line
            position = whole.find("\n", at + len(word)) + 1
            if not position:
                break
            line += 1


def _every_line(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def detect_secrets(text: str, *, prefilter: bool = True) -> Iterator[Candidate]:
    """detect-secrets' format plugins, line by line; a missing install skips this layer
    (the rule table covers every format these plugins know). `prefilter=False` hands it
    every line, not only those `worth_a_look` (the same candidates, slower)."""
    # minified blobs (> 2000 characters) are left to the rule table
    chosen = [(start, line) for start, line in (
        _with_a_literal(text) if prefilter else _every_line(text))
        if len(line) <= 2000 and (not prefilter or worth_a_look(line))]
    starts, lines = [start for start, _ in chosen], [line for _, line in chosen]
    scan = _ds_scanner() if lines else None  # detect-secrets loads only when it has work
    if scan is None:
        return
    for start, line, found in zip(starts, lines, scan(lines), strict=True):
        for kind, value in found:
            value = value.lstrip(" \t=:\"'")  # some patterns capture the delimiter before
            context = _DS_CONTEXT.get(kind)
            if context is not None and not context.search(line):
                continue
            at = line.find(value)
            if at < 0 or (at and line[at - 1].isalnum()):
                continue  # not found, or the tail of a longer word (`TODAYINASIA…`)
            # some plugins report only the token's prefix: widen to the whole token
            tail = _TOKEN_TAIL.match(line, at + len(value))
            end = tail.end() if tail else at + len(value)
            if not looks_fake(line[at:end]) and not looks_placeholder(line[at:end]):
                yield (start + at, start + end, ds_rule(kind), f"{kind} (detect-secrets)",
                       0.8)


DS_LOCK = threading.Lock()  # detect-secrets keeps its settings in module globals


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
        with DS_LOCK, transient_settings(config):
            return [[(s.type, s.secret_value) for s in scan_line(line) if s.secret_value]
                    for line in lines]
    return scan


def ds_rule(kind: str) -> str:
    return "ds-" + re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


