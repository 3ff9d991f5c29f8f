"""gitleaks compatibility: `.gitleaksignore` fingerprints as gitleaks writes them, and its rule
ids for reviewloop's secret rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.secrets.gitleaks import RULE_IDS, IgnoreEntry, parse_ignore, rule_ids
from reviewloop.checks.secrets.rules import RULES
from reviewloop.checks.secrets.scanner import scan_text
from tests.support.odd_breaks import ODD

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_both_fingerprint_forms_are_read_with_where_they_came_from() -> None:
    text = (f"# accepted after review\n\nconfig/settings.py:aws-access-token:12\n"
            f"{SHA}:config/settings.py:generic-api-key:3\n"
            "not a fingerprint\n")

    entries = parse_ignore(text)

    assert entries == [
        IgnoreEntry(file="config/settings.py", rule="aws-access-token", line=12,
                    where=".gitleaksignore:3"),
        IgnoreEntry(file="config/settings.py", rule="generic-api-key", line=3, commit=SHA,
                    where=".gitleaksignore:4")]


def test_a_file_name_with_colons_is_not_taken_for_a_commit() -> None:
    (entry,) = parse_ignore("deploy/a:b.env:generic-api-key:1\n")
    assert (entry.commit, entry.file, entry.line) == (None, "deploy/a:b.env", 1)


@given(above=st.lists(st.sampled_from(["# a", "# \r", "", "x", "# \u2028 b", "# \x0c"]),
                      max_size=6), odd=st.sampled_from(ODD))
def test_a_fingerprint_is_read_on_git_lines_whatever_breaks_stand_around_it(
        above: list[str], odd: str) -> None:
    """gitleaks reads the file line by line at LF (a CRLF's CR dropped): a file name holding
    an odd break is one fingerprint, and its place is git's line."""
    text = "".join(f"{line}\n" for line in above) + f"conf/a{odd}b.env:generic-api-key:7\r\n"

    entries = parse_ignore(text)

    assert entries == [IgnoreEntry(file=f"conf/a{odd}b.env", rule="generic-api-key", line=7,
                                   where=f".gitleaksignore:{len(above) + 1}")]


@pytest.mark.parametrize(("ours", "theirs"), [
    ("aws-access-key-id", "aws-access-token"),
    ("github-token", "github-pat"),
    ("slack-token", "slack-bot-token"),
    ("generic-password", "generic-api-key"),
    ("stripe-key", "stripe-access-token"),
])
def test_an_entry_may_name_a_finding_by_gitleaks_id_or_by_ours(ours: str, theirs: str) -> None:
    assert {ours, theirs} <= rule_ids(ours)
    assert rule_ids("no-such-rule") == {"no-such-rule"} and rule_ids(None) == frozenset()


def test_every_mapped_rule_is_one_the_scanner_reports() -> None:
    ours = {rule.id for rule in RULES} | {"generic-password", "generic-secret",
                                          "ds-artifactory-credentials"}
    assert set(RULE_IDS) - ours == set()
    assert all(theirs and all(t == t.lower() for t in theirs) for theirs in RULE_IDS.values())


def test_the_generic_rules_are_the_scanners_own_names() -> None:
    hits = scan_text('db_password = "Xk9#mQ2$vL7!pR4@"\napi_secret = "q8ZtN3vW6yB1cE4hJ7kM"\n')
    assert {hit.rule for hit in hits} <= {"generic-password", "generic-secret"}
    assert hits and all(hit.rule in RULE_IDS for hit in hits)
