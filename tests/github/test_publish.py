"""Review planning and rendering: anchors validated on the diff, suggestion blocks, limits,
nothing lost, every body ending with one signed marker."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github.markers import read_marker, repository_key
from reviewloop.github.plan import anchor, plan_review
from reviewloop.github.render import comment_body, restated, review_body, summary_body
from tests.support.publish import (
    DIFF,
)

CHANGES = parse_diff(DIFF)
HEAD = "c0ffee" + "0" * 34
KEY = repository_key(1296269)


def tag(n: int) -> str:
    """Digits as letters: fingerprints ignore digits in titles (they read `#`)."""
    return "".join("abcdefghij"[int(d)] for d in str(n))


def make(start: int, end: int | None = None, *, file: str = "src/app.py", **kw) -> Finding:
    base = {"agent": "review-security", "severity": Severity.MUST_FIX, "file": file,
            "start_line": start, "end_line": end or start,
            "title": f"problem {file} {tag(start)}", "rationale": "Because it breaks.",
            "confidence": 0.8}
    return Finding(**{**base, **kw})


def plan(findings, **kw):
    return plan_review(findings, CHANGES, KEY, **kw)


def body_of(p, head=HEAD):
    return review_body(head, KEY, inline=[c.finding for c in p.inline],
                       listed=p.body_findings, overflow=p.overflow,
                       skipped=p.skipped_already_posted)


def listed(body: str) -> list[str]:
    """Fingerprints a review body's marker records."""
    return [f["fp"] for f in read_marker(body, KEY, "review").data["f"]]


def only_inline(finding: Finding):
    p = plan([finding])
    assert p.body_findings == [] and p.overflow == []
    (comment,) = p.inline
    return comment


# --- anchors -----------------------------------------------------------------------------


def test_single_added_line():
    comment = only_inline(make(5))
    assert comment.payload() == {"path": "src/app.py", "line": 5, "side": "RIGHT",
                                 "body": comment.body}


def test_range_in_one_hunk_uses_start_line():
    payload = only_inline(make(5, 6)).payload()
    assert (payload["start_line"], payload["start_side"], payload["line"]) == (5, "RIGHT", 6)


def test_context_lines_inside_a_hunk_are_valid_anchors():
    assert only_inline(make(4)).line == 4
    assert only_inline(make(22)).line == 22


def test_lines_outside_every_hunk_go_to_the_body():
    for finding in (make(10), make(30), make(1, file="old.py"), make(1, file="elsewhere.py")):
        p = plan([finding])
        assert p.inline == [] and p.body_findings == [finding]


def test_a_range_partly_in_a_hunk_is_clipped_to_it_and_says_so():
    comment = only_inline(make(6, 9))
    assert (comment.start_line, comment.line) == (6, 7)
    assert "Reported on lines 6–9; only lines 6–7 are in the diff" in comment.body


def test_a_range_across_two_hunks_stays_within_the_first():
    comment = only_inline(make(7, 23))
    assert (comment.start_line, comment.line) == (None, 7)
    assert anchor(make(7, 23), CHANGES) == (7, 7)


# --- bodies and suggestions ----------------------------------------------------------------


def test_comment_body_shows_severity_agent_title_rationale_and_marker():
    finding = make(5, severity=Severity.SHOULD_FIX, suggestion="Pass a list, not a string.",
                   source="bandit", rule="B602", also_reported_by=["review-performance"])
    body = only_inline(finding).body
    assert body.startswith("🟡 **should fix** · review-security, review-performance · "
                           "`bandit/B602`")
    assert "**problem src/app.py f**" in body
    assert "Because it breaks." in body and "**Suggestion:** Pass a list" in body
    assert read_marker(body, KEY, "finding").data["f"]["fp"] == finding.fingerprint
    assert "```suggestion" not in body  # no replacement


def test_suggestion_block_on_added_lines():
    finding = make(1, 2, file="new.py", replacement="def f() -> int:\n    return 1\n")
    body = only_inline(finding).body
    assert "```suggestion\ndef f() -> int:\n    return 1\n```" in body


def test_no_suggestion_when_the_range_touches_a_context_line():
    body = only_inline(make(4, 5, replacement="x\n")).body
    assert "suggestion\n" not in body


def test_no_suggestion_when_the_range_was_clipped():
    body = only_inline(make(6, 9, replacement="x\n")).body
    assert "suggestion\n" not in body


def test_empty_replacement_deletes_and_fences_outgrow_backticks():
    assert "```suggestion\n```" in only_inline(make(2, replacement="")).body
    tricky = only_inline(make(2, replacement="x = '```'\n")).body
    assert "````suggestion\nx = '```'\n````" in tricky


def test_secrets_are_redacted_but_the_marker_survives():
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    finding = make(5, rationale=f"Token {token} committed.", replacement=f"T = '{token}'")
    body = comment_body(finding, KEY, suggest=True)
    assert token not in body and "[REDACTED:" in body
    assert read_marker(body, KEY, "finding").data["f"]["fp"] == finding.fingerprint


# --- limits and accounting -----------------------------------------------------------------


def test_more_than_30_goes_to_the_body_with_counts():
    findings = [make(1, file="new.py", title=f"issue {tag(n)}",
                     severity=Severity.NIT if n % 2 else Severity.MUST_FIX)
                for n in range(35)]
    p = plan(findings)
    assert len(p.inline) == 30 and len(p.overflow) == 5
    # most severe first: all 18 must_fix are inline, only nits overflow
    assert all(f.severity is Severity.NIT for f in p.overflow)
    body = body_of(p)
    assert "#### 5 more past the limit of inline comments (🔴 0 must fix · 🟡 0 should fix " \
           "· 🟢 5 nit)" in body
    assert "🔴 18 must fix · 🟡 0 should fix · 🟢 17 nit — 30 inline" in body
    assert listed(body) == [f.fingerprint for f in p.overflow]


def test_unanchorable_findings_are_listed_in_the_body_with_their_rationale():
    finding = make(10, rationale="Line ten is wrong.")
    p = plan([finding, make(5)])
    body = body_of(p)
    assert "#### Not on a line of this diff" in body
    assert "`src/app.py:10`" in body and "Line ten is wrong." in body
    assert listed(body) == [finding.fingerprint]  # the inline one has its own marker


def test_already_posted_findings_are_skipped_and_counted():
    old, new = make(5), make(6)
    p = plan([old, new], previous_fingerprints={old.fingerprint})
    assert [c.finding for c in p.inline] == [new]
    assert p.skipped_already_posted == 1
    assert "1 finding(s) already posted" in body_of(p)


def test_a_merged_duplicates_fingerprint_counts_as_posted():
    dup = make(5, merged_fingerprints=["f" * 64])
    p = plan([dup], previous_fingerprints={"f" * 64})
    assert p.empty and p.skipped_already_posted == 1


def test_every_finding_is_accounted_for_exactly_once():
    findings = [make(n, title=f"t{tag(n)}") for n in range(1, 40)] + \
               [make(n, file="new.py", title=f"n{tag(n)}") for n in range(1, 6)]
    previous = {findings[3].fingerprint, findings[20].fingerprint}
    p = plan(findings, previous_fingerprints=previous, max_inline=7)
    placed = [c.finding for c in p.inline] + p.body_findings + p.overflow
    assert len(placed) + p.skipped_already_posted == len(findings)
    assert len({f.fingerprint for f in placed}) == len(placed)
    assert len(p.inline) == 7


# --- states, summary, size --------------------------------------------------------------


def test_restated_marks_fixed_then_open_again_keeping_the_record():
    finding = make(5)
    original = comment_body(finding, KEY)
    fixed = restated(original, KEY, "fixed", HEAD)
    assert fixed.startswith(f"✅ **Fixed** in {HEAD[:12]}")
    marker = read_marker(fixed, KEY, "finding")
    assert marker.data["st"] == "fixed" and marker.data["f"]["fp"] == finding.fingerprint
    again = restated(fixed, KEY, "open", "d" * 40)
    assert not again.startswith("✅") and "**problem src/app.py f**" in again
    assert read_marker(again, KEY, "finding").data["st"] == "open"
    assert restated("a human's comment", KEY, "fixed", HEAD) is None


def test_summary_body_counts_the_whole_pr_and_records_the_head():
    body = summary_body("## reviewloop\n\nall good\n", HEAD, KEY,
                        open_counts={"must_fix": 1, "should_fix": 2, "nit": 0}, fixed_count=3,
                        body_fixed=["b" * 64])
    assert body.startswith("**Open on this pull request: 3** — 🔴 1 must fix · 🟡 2 should "
                           "fix · 🟢 0 nit · ✅ 3 fixed since the first review")
    assert f"_Last reviewed commit: {HEAD}_" in body
    data = read_marker(body, KEY, "summary").data
    assert data == {"head": HEAD, "open": {"must_fix": 1, "should_fix": 2, "nit": 0},
                    "fixed": ["b" * 64], "whole": True, "o": ""}


def test_a_file_level_finding_goes_to_the_body_not_onto_a_line():
    finding = make(5).model_copy(update={"level": "file"})
    assert anchor(finding, CHANGES) is None


def test_a_huge_review_body_stays_under_githubs_limit_and_its_marker_lists_what_it_shows():
    findings = [make(40 + n, rationale="x" * 2000, title=f"far {tag(n)}") for n in range(400)]
    body = body_of(plan(findings))
    assert len(body) < 65_536
    shown = listed(body)
    assert 0 < len(shown) < 400 and "more not shown (GitHub's size limit)" in body
    assert all(f"far {tag(n)}" in body for n in range(len(shown)))


def _prints(kind: str, count: int) -> list[str]:
    return [hashlib.sha256(f"{kind}{n}".encode()).hexdigest() for n in range(count)]


@settings(derandomize=True, max_examples=40, deadline=None)
@given(fixed=st.integers(0, 3_000), left=st.integers(0, 400),
       report_lines=st.integers(0, 3_000), width=st.integers(1, 300))
def test_the_summary_stays_under_githubs_limit_whatever_the_prs_history(
        fixed: int, left: int, report_lines: int, width: int):
    """However many findings the review bodies listed and then were fixed (or left the PR),
    and however long the report, the summary comment fits GitHub's 65,536 characters. The
    marker keeps the fixed and left findings it has room for; when it drops any, it says
    the review was not whole, so that the next push judges them again instead of reading
    them as open."""
    fixed_prints, left_prints = _prints("fixed", fixed), _prints("left", left)
    report = "\n".join(f"- {'r' * width} {n}" for n in range(report_lines))
    body = summary_body(report, HEAD, KEY, open_counts={"must_fix": 1}, fixed_count=fixed,
                        body_fixed=fixed_prints, body_left=left_prints, left_count=left)
    assert len(body) <= 65_536
    marker = read_marker(body, KEY, "summary")
    assert marker is not None
    data = marker.data
    kept_fixed, kept_left = data["fixed"], data.get("left", [])
    assert set(kept_fixed) <= set(fixed_prints) and set(kept_left) <= set(left_prints)
    everything = len(kept_fixed) + len(kept_left) == fixed + left
    assert data["whole"] is everything
    assert len(kept_fixed) >= min(fixed, 50)  # room for a PR's usual history


@settings(max_examples=25, deadline=None)
@given(rationale=st.integers(1, 90_000), suggestion=st.integers(0, 90_000),
       replacement=st.integers(0, 90_000))
def test_an_inline_comment_stays_under_githubs_limit_whatever_a_finding_says(
        rationale: int, suggestion: int, replacement: int) -> None:
    """A model's rationale, suggestion or replacement of any length: the comment is cut to
    GitHub's 65,536 characters (a replacement too long is not shown half), its marker
    intact, so the finding keeps its inline comment instead of going to the review body."""
    finding = make(3, 4, rationale="r" * rationale, suggestion="s" * suggestion or None,
                   replacement=("x = 1\n" * (replacement // 6 + 1))[:replacement] or None)
    body = comment_body(finding, KEY, suggest=True)
    assert len(body) <= 65_536
    assert read_marker(body, KEY, "finding").data["f"]["fp"] == finding.fingerprint
    if 0 < replacement < 37_000:  # room: MAX_BODY less the text's cap and a margin
        assert "```suggestion" in body
    elif replacement == 0 or replacement > 38_000:
        assert "```suggestion" not in body


@settings(max_examples=15, deadline=None)
@given(count=st.integers(0, 3_000))
def test_the_summary_lists_the_open_set_or_says_the_review_was_not_whole(count: int) -> None:
    """Every open finding's id in the summary's marker (what tells a deleted comment from a
    fixed finding), or, past its room, none and `whole` false: the next push then reviews
    the whole PR. The body stays under GitHub's limit either way."""
    ids = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(count)]
    body = summary_body("report", HEAD, KEY, open_counts={"must_fix": count},
                        fixed_count=0, open_ids=ids)
    data = read_marker(body, KEY, "summary").data
    assert len(body) <= 65_536
    if "o" in data:
        assert data["whole"] and sorted(data["o"][i:i + 12] for i in range(0, 12 * count, 12)) \
            == sorted(fp[:12] for fp in ids)
    else:
        assert not data["whole"] and count > 400  # room for 400 at least
