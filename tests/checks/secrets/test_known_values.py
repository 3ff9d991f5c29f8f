"""A value the review's secrets analyzer reported is replaced by every redaction
(`known_values`): `redact` (long and short texts, asked before the value was held too: its
caches are keyed by text), `redact_around`, `redact_file_diff` and `redact_finding`; a new
review's round forgets the last review's values. Generated: values of the keyword check's
shapes × the texts they sit in (a diff line, a file's line, a finding's words, a long text)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_redaction import redact_file_diff
from reviewloop.checks.secrets.known_values import hold
from reviewloop.checks.secrets.quoted import redact_quoted
from reviewloop.checks.secrets.scanner import redact, redact_around, redact_finding
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff

VALUES = ("correct horse battery staple", "hunter22", "Zm9vYmFyYmF6cXV4", "tr0ub4dor",
          "acme_live_0000000000005eed0c0ffee1", "c0ffee42d00d")
AROUND = ("PASSWORD: {}", 'DB_SECRET="{}"', "the value {} is committed", "{}",
          "x = 1\n" * 2000 + "secret = '{}'\n")  # the last one past the short-text cache


@pytest.fixture(autouse=True)
def nothing_held() -> Iterator[None]:
    hold((), new_review=True)
    yield
    hold((), new_review=True)


def _diff(line: str) -> str:
    lines = line.split("\n")
    return (f"diff --git a/s.yaml b/s.yaml\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/s.yaml\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{t}\n" for t in lines))


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.sampled_from(VALUES), st.sampled_from(AROUND), st.integers(0, 99))
def test_a_held_value_is_redacted_by_every_redaction(value: str, around: str,
                                                     salt: int) -> None:
    hold((), new_review=True)
    text = around.format(value) + f" #{salt}"
    finding = Finding(severity=Severity.MUST_FIX, file="s.yaml", start_line=1, end_line=1,
                      title=f"Hard-coded {value}", rationale=text[-200:],
                      suggestion=f"rotate {value}", confidence=0.9, agent="review-security")
    # asked first, with nothing held: the scan passes the value (and the answers are kept)
    assume(value in redact(text))
    assume(value in redact_around(f"before\n{text}\nafter", "before"))
    assume(value in redact_finding(finding).title)
    hold([(value, "ds-secret-keyword")], new_review=True)
    assert value not in redact(text) and "[REDACTED:ds-secret-keyword]" in redact(text)
    assert value not in redact_around(f"before\n{text}\nafter", "before")
    file = parse_diff(_diff(text)).files[0]
    assert value not in redact_file_diff(file)
    clean = redact_finding(finding)
    assert value not in clean.title + clean.rationale + (clean.suggestion or "")
    hold((), new_review=True)  # a new review: the last one's values are its own
    assert value in redact(text)


def test_a_short_value_is_redacted_as_a_word_not_inside_other_words() -> None:
    hold([("pw1", "acme-rule")], new_review=True)
    assert redact("PASSWORD=pw1 and pw1, not pw12 nor apw1") == (
        "PASSWORD=[REDACTED:acme-rule] and [REDACTED:acme-rule], not pw12 nor apw1")


def test_a_later_round_adds_to_the_review_s_values() -> None:
    hold([("hunter22", "ds-secret-keyword")], new_review=True)
    hold([("tr0ub4dor", "ds-secret-keyword")], new_review=False)
    assert redact("hunter22 tr0ub4dor") == (
        "[REDACTED:ds-secret-keyword] [REDACTED:ds-secret-keyword]")


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.sampled_from(VALUES), st.sampled_from((*AROUND, "Possible hardcoded password: '{}'")),
       st.booleans(), st.booleans(),
       st.sampled_from((None, "B105", "hardcoded_password_funcarg", "B602")))
def test_a_finding_is_redacted_field_by_field_whether_or_not_a_value_is_held(
        value: str, around: str, held: bool, suggested: bool, rule: str | None) -> None:
    """With nothing held `redact_finding` takes a shorter way (one look-up a finding, the
    scan and a password rule's quoted value together): its answer is still each text
    held-replaced, then redacted, then its quoted password replaced, as with a value held."""
    hold([(value, "ds-secret-keyword")] if held else (), new_review=True)
    text = around.format(value)[-300:]
    finding = Finding(severity=Severity.MUST_FIX, file="s.yaml", start_line=1, end_line=1,
                      title=f"Hard-coded {value}", rationale=text,
                      suggestion=f"rotate {value}" if suggested else None, confidence=0.9,
                      agent="review-security", source="bandit" if rule else "llm", rule=rule)

    def expected(before: str | None) -> str | None:
        return None if before is None else redact_quoted(rule, redact(before))

    clean = redact_finding(finding)
    for field in ("title", "rationale", "suggestion"):
        assert getattr(clean, field) == expected(getattr(finding, field))
    assert (clean is finding) == all(expected(getattr(finding, f)) == getattr(finding, f)
                                     for f in ("title", "rationale", "suggestion"))
    assert redact_finding(finding.model_copy()) == clean  # asked again: the same answer
