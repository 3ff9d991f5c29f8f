"""The secret values a review's secrets analyzer reported that `scanner.redact` may not find
in a text: redacted wherever `redact` is applied, for the rest of the review.

The analyzer has layers `redact` does not run (`analyzer.hold_reported`): detect-secrets
with the settings of the project's `.secrets.baseline`, and the project's own gitleaks
rules; and it reads a file by its kind (a YAML anchor's or tag's literal, a flow mapping's
plain value), where `redact` reads text of no kind. A value found so on an added line was
sent to the reviewers, the fixer and the tools' file reads as it is. A round with a model
asks for those hits before its diff is redacted (`hold_reported`: the analyzer reuses the
scans, each remembered), and each exact value is replaced from then on, in any text:
`redact` replaces them before its own scan, so its caches, keyed by text, stay right.

One set per process, cleared when a review's first round starts: reviewers run in threads,
and every reader sees the whole of one set (it is swapped, never changed in place).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

# a value shorter than this is replaced only where no letter or digit runs on around it: a
# short or common one (`admin1`, `postgres`) would turn up inside other words (`postgresql`)
_WHOLE_WORD_BELOW = 16


@dataclass(frozen=True)
class _Held:
    labels: dict[str, str] = field(default_factory=dict)  # value → the rule that found it
    pattern: re.Pattern[str] | None = None


_held = _Held()
_lock = threading.Lock()


def hold(found: Iterable[tuple[str, str]], *, new_review: bool) -> None:
    """Redact each (value, rule) of `found` from now on; with `new_review`, only those."""
    global _held
    with _lock:
        labels = {} if new_review else dict(_held.labels)
        labels.update((value, rule) for value, rule in found if value.strip())
        _held = _Held(labels, _compiled(labels) if labels else None)


def replaced(text: str) -> str:
    """`text` with every held value replaced by `[REDACTED:<rule>]`."""
    held = _held
    if held.pattern is None:
        return text
    return held.pattern.sub(lambda m: f"[REDACTED:{held.labels[m.group(0)]}]", text)


def holding() -> bool:
    """Whether any value is held (none is, in a review without a model round)."""
    return _held.pattern is not None


def found_in(text: str) -> bool:
    """Whether `text` holds a held value."""
    pattern = _held.pattern
    return pattern is not None and pattern.search(text) is not None


def _compiled(labels: dict[str, str]) -> re.Pattern[str]:
    # the longest first: a value that holds another is replaced whole
    return re.compile("|".join(
        re.escape(v) if len(v) >= _WHOLE_WORD_BELOW else rf"(?<![^\W_]){re.escape(v)}(?![^\W_])"
        for v in sorted(labels, key=len, reverse=True)))
