"""Hidden markers: trusted only from the token's own identity, on the last line, with an HMAC
that verifies under the repository's key; quoted text can never open an HTML comment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.ignores import IgnoreRecord, ignore_body
from reviewloop.github.markers import (
    neutralise,
    read_marker,
    repository_key,
    seal,
    strip_marker,
    with_marker,
)
from reviewloop.github.posted import read_state
from reviewloop.github.records import FindingRecord
from reviewloop.github.render import comment_body, summary_body
from reviewloop.github.threads import Identity

KEY = repository_key(1296269)
OTHER = repository_key(1296270)
BOT = {"login": "github-actions[bot]", "id": 41898282}
ME = Identity("github-actions", 41898282)
MALLORY = {"login": "mallory", "id": 6}


def finding(**kw) -> Finding:
    base = {"agent": "review-security", "severity": Severity.MUST_FIX, "file": "app.py",
            "start_line": 9, "end_line": 9, "title": "shell=True", "rationale": "injection",
            "confidence": 0.9, "source": "bandit", "rule": "B602"}
    return Finding(**{**base, **kw})


def test_a_marker_round_trips_and_binds_kind_data_and_repository():
    body = with_marker("text", "summary", {"head": "a" * 40}, KEY)
    assert read_marker(body, KEY).data == {"head": "a" * 40}
    assert read_marker(body, KEY, "summary").kind == "summary"
    assert read_marker(body, KEY, "finding") is None
    assert read_marker(body, OTHER) is None  # another repository's key
    tampered = body.replace(seal("summary", {"head": "a" * 40}, KEY, "text"),
                            seal("summary", {"head": "b" * 40}, OTHER, "text"))
    assert tampered != body
    assert read_marker(tampered, KEY) is None
    assert strip_marker(body) == "text"


def test_a_marker_counts_only_on_the_last_line():
    good = seal("summary", {"head": "a" * 40}, KEY)
    assert read_marker(f"{good}\nmore text", KEY) is None
    assert read_marker(f"text {good}", KEY) is None
    assert read_marker(f"{good}\n\n", KEY) is not None
    assert read_marker(with_marker("text", "summary", {"head": "a" * 40}, KEY) + "\n\n",
                       KEY) is not None


def test_neutralise_breaks_every_comment_opener():
    text = neutralise("a <!-- reviewloop:finding x y --> b <!---->")
    assert "<!--" not in text and "reviewloop:finding" in text


def test_quoted_markers_in_a_finding_cannot_become_one():
    planted = seal("finding", {"f": {"fp": "f" * 64}, "st": "fixed"}, KEY)
    bad = finding(title="string literal", rationale=f"The literal is '{planted}'",
                  suggestion=f"remove {planted}", replacement=f"x = '{planted}'\n")
    body = comment_body(bad, KEY, suggest=True)
    assert body.count("<!--") == 1 + 1  # our marker, and the suggested code verbatim
    marker = read_marker(body, KEY, "finding")
    assert marker.data["f"]["fp"] == bad.fingerprint and marker.data["st"] == "open"
    # the summary report is quoted text too
    summary = summary_body(f"report {planted}\n{planted}", "a" * 40, KEY,
                           open_counts={}, fixed_count=0)
    assert summary.count("<!--") == 1


def test_read_state_trusts_the_tokens_identity_only():
    mine = comment_body(finding(), KEY)
    copied = {"id": 2, "path": "app.py", "line": 9, "body": mine, "user": MALLORY}
    ours = {"id": 1, "path": "app.py", "line": 9, "body": mine, "user": BOT}
    summary = {"id": 5, "user": MALLORY, "body": summary_body("x", "a" * 40, KEY,
                                                              open_counts={}, fixed_count=0)}
    state = read_state([copied], [], [summary], KEY, identity=ME)
    assert state.findings == {} and state.summary_comment_id is None
    state = read_state([ours, {**ours, "id": 3}], [], [], KEY, identity=ME)
    assert [p.comment_id for p in state.findings.values()] == [1]
    assert state.duplicate_comments == [3]


def test_identity_by_id_and_by_login_without_the_bot_suffix():
    assert ME.wrote({"user": BOT})
    assert not ME.wrote({"user": {"login": "github-actions[bot]", "id": 7}})  # an impostor
    assert Identity("github-actions[bot]", None).wrote({"user": {"login": "github-actions"}})
    assert not Identity("octo", None).wrote({"user": MALLORY})


# what another workflow of the repository (same `github-actions[bot]`) may wrap around text a
# PR author chose: a greeting, a quote, a footer, a code fence
WRAPPERS = [("👋 Thanks for the PR! You wrote:\n\n", ""), ("> ", ""), ("", "\n\n_bot footer_"),
            ("Echo: ", ""), ("```\n", "\n```"), ("\n", ""), ("Thanks!\r\n\r\n", "")]


def _ours() -> list[str]:
    """Bodies reviewloop writes: an inline comment, a summary, an ignore record."""
    record = FindingRecord.of(finding())
    ignore = IgnoreRecord(record.fingerprint, "octo", "accepted risk", 12)
    return [comment_body(finding(), KEY),
            summary_body("## report\n\nall good", "a" * 40, KEY, open_counts={},
                         fixed_count=0),
            ignore_body(record, ignore, KEY)]


@settings(derandomize=True, max_examples=60)
@given(which=st.integers(0, 2), wrapper=st.sampled_from(WRAPPERS),
       inner=st.sampled_from(["", "hi", "Nice work\n\n"]))
def test_a_bot_comment_that_wraps_a_marker_in_other_text_carries_none(which, wrapper, inner):
    """A marker verifies only under the very body it was sealed with: reviewloop's own bodies
    read back; the same marker — or one sealed with the public key for any text — inside a
    comment that adds anything to it (another workflow quoting the PR's text) does not."""
    body = _ours()[which]
    assert read_marker(body, KEY) is not None
    before, after = wrapper
    marker = body.rstrip().splitlines()[-1]
    forged = with_marker(inner, "ignore", {"fp": "f" * 64, "by": "x", "why": "y", "cmd": 1},
                         KEY)
    for text in (body, forged):
        wrapped = before + text + after
        if wrapped.strip() == text.strip():
            continue  # nothing added but blank lines
        assert read_marker(wrapped, KEY) is None, (wrapper, text[:40])
    # our marker under other text than ours
    assert read_marker(f"{inner}\n\n{marker}", KEY) is None


def test_a_forged_ignore_in_another_workflow_s_bot_comment_suppresses_nothing():
    """The fuzzer's case (rev11 D7): a greeter workflow, as github-actions[bot], quotes the
    PR author's text, which ends in an `ignore` marker sealed with the public key."""
    record = FindingRecord.of(finding())
    forged = ignore_body(record, IgnoreRecord(record.fingerprint, "octo", "nope", 1), KEY)
    greeting = {"id": 9, "user": BOT, "body": "👋 Thanks… You wrote:\n\n" + forged}
    own = {"id": 10, "user": BOT, "body": forged}
    assert read_state([], [], [greeting], KEY, identity=ME).ignored == {}
    assert list(read_state([], [], [own], KEY, identity=ME).ignored) == [record.fingerprint]
