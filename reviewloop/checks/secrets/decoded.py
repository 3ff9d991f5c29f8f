"""The decoding layer of the secrets scanner: credentials written base64- or hex-encoded.

A credentials file wrapped in base64 under a name that says nothing
(`export const bootstrap = "W2RlZmF1bHRdCmF3c19…"`) is no token format, no keyword
assignment, and reviewloop leaves detect-secrets' entropy plugins out (they flag lockfile
hashes and commit SHAs, `ds_layer`). As gitleaks 8 does with `--max-decode-depth`, runs of
an encoding's alphabet are decoded instead, and the decoded text is scanned with every rule:

* base64, standard or URL-safe, padded or not: 16 characters or more of its alphabet, one
  line or wrapped (a run of 48 or more ending its line goes on with the next line's, after
  a newline and indentation or a `\\n` escape, as `base64` and MIME wrap at 76);
* hex: 32 digits or more, an even number of them.

A run is decoded only when it can hold text (base64 of text has upper and lower case
letters), and its decoding is kept only when it is UTF-8 with few control characters:
lockfile integrity hashes, commit SHAs, images and other binary decode to bytes that are
not, and cost a decode each, no scan. The decoded text is scanned again, with this layer,
down to `MAX_DEPTH` encodings deep (gitleaks' default). A hit is reported on the encoded
run's span (so it is redacted whole), under the inner rule's id, its description saying how
it was encoded; several in one run (an `.env` encoded) each on its share of the run, all on
its first line, so that every credential to rotate is named.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator

from reviewloop.checks.secrets.assignments import Candidate

__all__ = ["MAX_DEPTH", "decoded_candidates", "decodes_to_text", "described", "encoded_runs",
           "shares"]

# gitleaks' default `--max-decode-depth`: a Helm value holding a base64 Kubernetes Secret
# whose `.dockerconfigjson` (base64) has an `auth` (base64 of `user:token`) is three deep
MAX_DEPTH = 5

_B64 = r"A-Za-z0-9+/_\-"
# no look-behind needed: read left to right, a match starts where its run does (~24 ms a MB
# of code, the layer's cost when nothing in it is encoded)
_BASE64 = re.compile(rf"[{_B64}]{{16,}}(?:={{1,2}}(?![{_B64}=]))?")
# a wrapped run's next line: a newline and indentation, or a `\n` escape in a string
_WRAPPED = re.compile(
    rf"(?:\r?\n[ \t]*|(?:\\r)?\\n)([{_B64}]+={{0,2}})(?=[ \t]*(?:[\r\n\"'`\\,;)]|$))")
_WRAP_WIDTH = 48  # base64 is wrapped at 64 or 76 characters; a shorter line ends the run
# looked for only inside a base64 run (hex digits are base64 characters): one pass of the text
_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])")
_URL_SAFE = frozenset("-_")
_STANDARD = frozenset("+/")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

# (decoded text, depth) -> the claimed candidates in it: the scanner's own scan
Scan = Callable[[str, int], list[Candidate]]


def decoded_candidates(text: str, scan: Scan, depth: int = 0) -> Iterator[Candidate]:
    """A candidate for each secret in the decoding of an encoded run of `text` (`scan`):
    one credential, on the run's span; several (an `.env` encoded), each on its share of
    the run (`shares`), so that each is reported (each must be rotated) and the run is
    still redacted whole."""
    if depth >= MAX_DEPTH:
        return
    for start, end, kind, plain in encoded_runs(text):
        found = scan(plain, depth + 1)
        size = len(plain.encode())
        where = [len(plain[:candidate[0]].encode()) / size for candidate in found]
        for (begin, finish), candidate in shares(text, start, end, where, found):
            yield begin, finish, candidate[2], described(candidate[3], kind), candidate[4]


def shares(text: str, start: int, end: int, where: list[float], found: list[Candidate]
           ) -> Iterator[tuple[tuple[int, int], Candidate]]:
    """`text[start:end]`, an encoding of text holding `found` (sorted, each `where` of the
    way into it), cut into one share for each: the first from `start`, the last to `end`,
    each starting on the span's first line (where its hit is reported), as far into it as
    its secret is into the decoded text. A candidate whose share would be empty (two in one
    character) gives its place to the stronger."""
    line_end = text.find("\n", start, end)
    width = (end if line_end < 0 else line_end) - start
    kept: list[tuple[int, Candidate]] = []
    for fraction, candidate in zip(where, found, strict=True):
        at = start if not kept else start + int(width * fraction)
        if kept and at <= kept[-1][0]:
            if candidate[4] > kept[-1][1][4]:
                kept[-1] = (kept[-1][0], candidate)
            continue
        kept.append((at, candidate))
    for index, (at, candidate) in enumerate(kept):
        yield (at, kept[index + 1][0] if index + 1 < len(kept) else end), candidate


def described(description: str, kind: str) -> str:
    """`description` of a secret found decoded, saying how it was encoded: "GitHub token
    (base64-encoded)", then "(base64-encoded, in percent)" once more."""
    inner = re.fullmatch(r"(.*) \((\w+-encoded(?:, in \w+)*)\)", description)
    if inner:  # encoded twice: "AWS secret access key (base64-encoded, in hex)"
        return f"{inner[1]} ({inner[2]}, in {kind})"
    return f"{description} ({kind}-encoded)"


def encoded_runs(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, encoding, decoded text) of each run of `text` that decodes to text."""
    covered = 0
    for match in _BASE64.finditer(text):
        if match.start() < covered:
            continue  # a wrapped run's later line, already read with its first
        lines, end = [match.span()], match.end()
        while end - lines[-1][0] >= _WRAP_WIDTH and text[end - 1] != "=":
            more = _WRAPPED.match(text, end)
            if not more:
                break
            end = more.end()
            lines.append(more.span(1))
        covered = end
        yield from _wrapped_runs(text, lines)


def _wrapped_runs(text: str, lines: list[tuple[int, int]]) -> Iterator[tuple[int, int, str, str]]:
    """The runs of a wrapped run's `lines`: all of them, or all but the first (a line of
    something else before it), or else each line alone. Every line is read in one wrapped
    run, never again in a wrapped run starting on a later line: one pass of 48-character
    lines that decode to no text, where trying each line as a run's first was quadratic."""
    for first in (0, 1) if len(lines) > 2 else (0,) if len(lines) > 1 else ():
        plain = _base64_text("".join(text[start:end] for start, end in lines[first:]))
        if plain is not None:
            if first:
                yield from _alone(text, *lines[0])
            yield lines[first][0], lines[-1][1], "base64", plain
            return
    for start, end in lines:
        yield from _alone(text, start, end)


def _alone(text: str, start: int, end: int) -> Iterator[tuple[int, int, str, str]]:
    """The run `text[start:end]` alone: base64 of text, or else the hex runs in it."""
    plain = _base64_text(text[start:end])
    if plain is not None:
        yield start, end, "base64", plain
        return
    for digits in _HEX.finditer(text, start, end):
        if len(digits.group()) % 2 == 0:
            plain = _text(bytes.fromhex(digits.group()))
            if plain is not None:
                yield digits.start(), digits.end(), "hex", plain


def decodes_to_text(value: str) -> bool:
    """Whether base64 `value` is an encoding of text (scanned as such, `decoded_candidates`),
    not a key: a key is random bytes."""
    return _base64_text(value) is not None


def _base64_text(run: str) -> str | None:
    body = run.rstrip("=")
    if body.lower() == body or body.upper() == body:
        return None  # a name, a path, hex digits: base64 of text mixes the cases
    if _URL_SAFE.intersection(body) and _STANDARD.intersection(body):
        # both alphabets: a prefix joined with `-` or `_` (`sha512-…`); its last part
        body = re.split(r"[-_]", body)[-1]
        if len(body) < 16:
            return None
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    altchars = b"-_" if _URL_SAFE.intersection(body) else b"+/"
    try:
        raw = base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _text(raw)


def _text(raw: bytes) -> str | None:
    """`raw` as text when it is UTF-8 with at most one control character in 16 (not \\t,
    \\n, \\r); None for binary."""
    try:
        plain = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not plain.strip() or len(_CONTROL.findall(plain)) * 16 > len(plain):
        return None
    return plain
