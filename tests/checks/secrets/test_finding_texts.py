"""Every user-visible text of a finding is redacted (`scanner.FINDING_TEXTS`), a merged
message (`more_here`) included, and a new text field of `Finding` cannot be missed: each
field holding text is either redacted or named here as identity."""

from __future__ import annotations

import types
import typing

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import FINDING_TEXTS, redact_finding
from reviewloop.findings.grouping import group, representative
from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.reports.lines import annotation
from reviewloop.reports.report import RunSummary, redacted

# fields that hold text but are a finding's identity, place or provenance, never a tool's
# or a model's words: the path, the analyzer and its rule id, agent names, the symbol a
# finding is keyed on, hashes
IDENTITY = frozenset({"file", "agent", "source", "rule", "also_reported_by",
                      "merged_fingerprints", "symbol", "level", "location_hash",
                      "fingerprint"})
# values the scan recognises whatever surrounds them
SECRETS = ("ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "AKIAZ7VRSQ5TJN2XKQ4P")
CODE = ["aws = 'x'"]


def _holds_text(annotation: object) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return False
    return any(_holds_text(a) for a in typing.get_args(annotation)) \
        if isinstance(annotation, types.UnionType) or typing.get_args(annotation) else False


def test_each_text_field_of_a_finding_is_redacted_or_named_as_identity() -> None:
    texts = {name for name, field in Finding.model_fields.items()
             if _holds_text(field.annotation)}
    assert texts - IDENTITY == set(FINDING_TEXTS), (
        "a new text field of Finding: add it to scanner.FINDING_TEXTS if a user sees it, "
        "else to IDENTITY here")


def _finding(**texts: object) -> Finding:
    base = Finding(agent="review-security", severity="must_fix", file="a.py", start_line=1,
                   end_line=1, title="hard-coded key", rationale="r", confidence=0.9,
                   source="semgrep", rule="aws-key").with_code(CODE)
    return base.model_copy(update=texts)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.sampled_from(FINDING_TEXTS), st.sampled_from(SECRETS),
       st.lists(st.sampled_from(["`os` unused", "x", "key here"]), max_size=3),
       st.integers(min_value=0, max_value=3))
def test_a_secret_in_any_text_field_is_redacted_and_nothing_else_changes(
        name, secret, others, at) -> None:
    """Generated: a secret in one text field (a list field: among other items, at any
    place): it is replaced there, every other field as it was."""
    said = f"the value {secret} is live"
    listed = typing.get_origin(Finding.model_fields[name].annotation) is list
    value: object = [*others[:at], said, *others[at:]] if listed else said
    leaky = _finding(**{name: value})

    clean = redact_finding(leaky)

    assert secret not in str(getattr(clean, name)) and "[REDACTED:" in str(getattr(clean, name))
    assert clean.model_copy(update={name: getattr(leaky, name)}) == leaky
    assert redact_finding(clean) == clean  # redacted once is redacted


def test_a_merged_message_quoting_a_key_is_redacted_in_the_report_path() -> None:
    """The report-time pass (`redacted`, what a pull request run posts) covers the
    messages the headline lists, so no format built from it shows the key."""
    reports = [_finding(title=t) for t in ("hard-coded AWS key", f"AWS key {SECRETS[1]}",
                                           f"AWS key {SECRETS[1]} (again)")]
    (found,) = group(reports)
    kept = representative(found)
    assert SECRETS[1] in " ".join(kept.more_here)  # as the tool said it, before redaction
    entry = Entry(id=kept.fingerprint, finding=kept, reports=found, status=Status.OPEN,
                  history=[{"status": "open", "reason": "reported", "round": 1}])

    summary = redacted(RunSummary(task_id="review", ledger=Ledger(round=1, entries=[entry])))

    shown = summary.ledger.entries[0].finding
    assert sorted([shown.title, *shown.more_here]) == [
        "AWS key [REDACTED:aws-access-key-id]", "AWS key [REDACTED:aws-access-key-id] (again)",
        "hard-coded AWS key"]
    assert SECRETS[1] not in annotation(shown) and "(and 2 more on this line" in shown.headline
