"""Hidden markers: trusted only from the token's own identity, on the body's last line, with
an HMAC that verifies under the repository's key; quoted text can never open an HTML comment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.markers import (
    neutralise,
    read_marker,
    repository_key,
    seal,
    strip_marker,
    with_marker,
)
from reviewloop.github.posted import read_state
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
    tampered = body.replace(seal("summary", {"head": "a" * 40}, KEY),
                            seal("summary", {"head": "b" * 40}, OTHER))
    assert read_marker(tampered, KEY) is None
    assert strip_marker(body) == "text"


def test_a_marker_counts_only_on_the_last_line():
    good = seal("summary", {"head": "a" * 40}, KEY)
    assert read_marker(f"text {good}", KEY) is None
    assert read_marker(f"{good} text", KEY) is None
    assert read_marker(f"{good}\nmore text", KEY) is None  # a greeter's words after a quote
    assert read_marker(f"text\n{good}\n\n", KEY) is not None
    older = seal("summary", {"head": "b" * 40}, KEY)
    assert read_marker(f"{older}\n{good}", KEY).data == {"head": "a" * 40}
    assert read_marker(f"{good}\n{seal('summary', {}, OTHER)}", KEY) is None


@settings(max_examples=80, deadline=None)
@given(above=st.text(), below=st.lists(st.text().filter(lambda t: "<!--" not in t),
                                       max_size=4))
def test_text_above_a_marker_keeps_it_ours_and_text_below_it_does_not(above: str,
                                                                      below: list[str]
                                                                      ) -> None:
    """Text above the marker (a maintainer's edit of the report) leaves the marker read — the
    signature covers the marker's data, not the text — and stripping it keeps what was
    written. Anything but blank appended below it (a note, "(edited)", a greeter's words
    after a quoted line) makes it no longer ours: the token's identity is shared by every
    workflow of the repository."""
    data = {"head": "a" * 40, "f": [1, 2]}
    body = with_marker(neutralise(above), "summary", data, KEY) + "\n".join(below)
    read = read_marker(body, KEY, "summary")
    if "\n".join(below).strip():
        assert read is None
    else:
        assert read is not None and read.data == data
    assert "reviewloop:summary" not in strip_marker(body)


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
