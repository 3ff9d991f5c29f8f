"""Hidden markers: the data reviewloop leaves in its own PR comments so a later run can
rebuild what it posted, and the rules that keep anyone else from writing one.

A marker is one HTML comment on a line of its own, written as the **last line** of a body
the bot wrote:

    <!-- reviewloop:<kind> <base64url JSON> <HMAC-SHA256 hex> -->

It is trusted only when all of these hold: the comment's author is the token's own identity
(checked by the caller, `github/posted.py`), it is the body's last line, whole, and its HMAC
verifies under the repository's key. The last line and not any line: the token's identity
(`github-actions[bot]`) is shared by every workflow of the repository, and one that quotes a
PR author's text with its own words after it (a greeter) must not carry a marker the author
wrote; so text someone appends below a marker makes the comment no longer ours (a finding
whose comment lost its marker is missing, and the next push reviews the whole PR and posts
it again: `posted.read_state`). The HMAC covers the marker's kind and data, not the text
above it: a maintainer's edit of that text keeps the marker, and a marker written by an
earlier release still verifies. The key
is derived from the repository's numeric id and a constant (`repository_key`): it is not a
secret — anyone can compute it — but it binds a marker to the finding data it carries and
to one repository, so text copied from elsewhere never passes for one. What keeps quoted
text out is the escaping: every piece of text the bot did not write itself (titles,
rationales, analyzer messages, the report) goes through `neutralise`, which makes `<!--`
unable to open an HTML comment, so nothing in it can hide or forge a marker. (A suggested
replacement is fenced verbatim; the bot's own marker follows it, so it is never the last.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["finding", "review", "summary", "ignore", "fix"]
KEY_CONSTANT = b"reviewloop/pr-markers/v1"
_LINE = re.compile(r"<!-- reviewloop:(finding|review|summary|ignore|fix) "
                   r"([A-Za-z0-9_-]+) ([0-9a-f]{64}) -->")
_OPENER = "<!--"
_BROKEN_OPENER = "<!\u200b--"  # a zero-width space: reads the same, opens nothing


def repository_key(repository_id: int | str) -> bytes:
    """The per-repository HMAC key: the repository's numeric id under a constant."""
    return hmac.new(KEY_CONSTANT, f"github-repository:{repository_id}".encode(),
                    hashlib.sha256).digest()


def neutralise(text: str) -> str:
    """`text` with every `<!--` broken so it cannot open an HTML comment in Markdown."""
    return text.replace(_OPENER, _BROKEN_OPENER)


@dataclass(frozen=True)
class Marker:
    kind: Kind
    data: dict[str, Any]


def seal(kind: Kind, data: dict[str, Any], key: bytes) -> str:
    """The marker line for `data` (plain JSON values)."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"<!-- reviewloop:{kind} {payload} {_sign(kind, payload, key)} -->"


def with_marker(body: str, kind: Kind, data: dict[str, Any], key: bytes) -> str:
    """`body` (already neutralised) ending with its marker on the last line."""
    return body.rstrip("\n") + "\n\n" + seal(kind, data, key) + "\n"


def read_marker(body: str | None, key: bytes, kind: Kind | None = None) -> Marker | None:
    """The marker on the last line of `body` when it is exactly one of ours and verifies
    under `key` (and is of `kind`); None for anything else, never an error."""
    lines = (body or "").rstrip().splitlines()
    found = _LINE.fullmatch(lines[-1].rstrip()) if lines else None
    if found is None or (kind is not None and found.group(1) != kind):
        return None
    marker_kind, payload, signature = found.groups()
    if not hmac.compare_digest(signature, _sign(marker_kind, payload, key)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    return Marker(marker_kind, data) if isinstance(data, dict) else None  # type: ignore[arg-type]


def buried(body: str | None, key: bytes, kind: Kind) -> bool:
    """Whether `body` holds a marker of `kind` that verifies and is not read: one of ours with
    text added since below it or on its own line (GitHub's editor puts what is typed right
    after `-->` there), or a quoted one. Such a marker is never read (`read_marker`); this
    only lets the caller say that it is there, so a looser match than a whole line is safe."""
    return buried_marker(body, key, kind) is not None


def buried_marker(body: str | None, key: bytes, kind: Kind) -> Marker | None:
    """The marker `buried` finds, for a caller that checks the text around it against it."""
    if read_marker(body, key) is not None:
        return None
    for line in reversed((body or "").rstrip().splitlines()):
        found = _LINE.search(line)
        if found is not None:
            return read_marker(found.group(0), key, kind)
    return None


def strip_marker(body: str) -> str:
    """`body` without its last marker line (what a human wrote above or below it stays)."""
    lines = body.rstrip().splitlines()
    at = _last(body)[0]
    if at is not None:
        del lines[at]
    return "\n".join(lines).rstrip("\n")


def _last(body: str) -> tuple[int | None, re.Match[str] | None]:
    """The index and match of the last line of `body` that is a marker line, whole."""
    lines = body.rstrip().splitlines()
    for at in range(len(lines) - 1, -1, -1):
        found = _LINE.fullmatch(lines[at].rstrip())
        if found is not None:
            return at, found
    return None, None


def _sign(kind: str, payload: str, key: bytes) -> str:
    return hmac.new(key, f"{kind}\0{payload}".encode(), hashlib.sha256).hexdigest()
