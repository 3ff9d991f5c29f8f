"""What a hard-coded-password rule quotes is never shown, whatever the value holds: bandit's
B105/B106/B107 end their message with the value, cut at 100 characters with `…`, and a value
may hold quotes followed by a blank or punctuation, line breaks (a triple-quoted string) and
`…` itself (before, the redaction stopped at the first of them and the rest was printed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.secrets.quoted import redact_quoted

_PIECES = st.sampled_from(["'", "' ", "', ", "'.", "\n", "…", "\\'", '"', " ", "#", ")"])
_VALUES = st.lists(st.one_of(_PIECES, st.text("AbZ9$!?", min_size=1, max_size=6)),
                   min_size=1, max_size=12).map("".join)
_MARK = "Zq8Canary"


@given(_VALUES, _VALUES, st.sampled_from(["B105", "B106", "B107"]), st.booleans())
def test_no_part_of_a_quoted_password_is_shown(before: str, after: str, rule: str,
                                               cut: bool) -> None:
    value = f"{before}{_MARK}{after}"
    quoted = f"'{value[:100]}…" if cut else f"'{value}'"
    for text in (f"Possible hardcoded password: {quoted}",
                 f"bandit {rule} (hardcoded_password_string): Possible hardcoded password: "
                 f"{quoted}"):
        shown = redact_quoted(rule, text)
        assert _MARK not in shown and shown.endswith(f"'[REDACTED:{rule}]'"), shown


def test_a_value_the_scan_named_keeps_its_name_and_other_rules_are_left() -> None:
    named = "Possible hardcoded password: '[REDACTED:github-token]'"
    assert redact_quoted("B105", named) == named
    other = "Use of insecure MD5 hash: 'x'"
    assert redact_quoted("B324", other) == other
