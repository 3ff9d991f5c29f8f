"""Review planning: anchors validated on the diff, suggestion blocks, limits, nothing lost."""

from __future__ import annotations

import re

from reviewloop.diff import parse_diff
from reviewloop.findings import Finding, Severity
from reviewloop.github.publish import (
    BOT_LOGINS,
    RESOLVED_MARKER,
    SUMMARY_MARKER,
    PostedComment,
    PostedState,
    anchor,
    comment_body,
    fp_marker,
    gone_comments,
    plan_review,
    read_state,
    resolved_body,
    review_body,
    summary_body,
)

DIFF = """\
diff --git a/src/app.py b/src/app.py
index 1111111..2222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,5 +1,7 @@
 import os
+import subprocess
 
 def run(cmd):
-    os.system(cmd)
+    subprocess.run(cmd, shell=True)
+    return True
 
@@ -20,3 +22,4 @@ def other():
     a = 1
     b = 2
+    c = 3
     return a
diff --git a/old.py b/old.py
deleted file mode 100644
index 3333333..0000000
--- a/old.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x = 1
-y = 2
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..4444444
--- /dev/null
+++ b/new.py
@@ -0,0 +1,3 @@
+def f():
+    return 1
+
"""
CHANGES = parse_diff(DIFF)
HEAD = "c0ffee" + "0" * 34


def tag(n: int) -> str:
    """Digits as letters: fingerprints ignore digits in titles (they read `#`)."""
    return "".join("abcdefghij"[int(d)] for d in str(n))


def make(start: int, end: int | None = None, *, file: str = "src/app.py", **kw) -> Finding:
    base = {"agent": "review-security", "severity": Severity.MUST_FIX, "file": file,
                "start_line": start, "end_line": end or start, "title": f"problem {file} {tag(start)}",
                "rationale": "Because it breaks.", "confidence": 0.8}
    return Finding(**{**base, **kw})


def only_inline(finding: Finding):
    plan = plan_review([finding], CHANGES)
    assert plan.body_findings == [] and plan.overflow == []
    (comment,) = plan.inline
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
        plan = plan_review([finding], CHANGES)
        assert plan.inline == [] and plan.body_findings == [finding]


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
    assert body.endswith(fp_marker(finding.fingerprint))
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
    body = comment_body(finding, suggest=True)
    assert token not in body and "[REDACTED:" in body
    assert body.endswith(fp_marker(finding.fingerprint))


# --- limits and accounting -----------------------------------------------------------------


def test_more_than_30_goes_to_the_body_with_counts():
    findings = [make(1, file="new.py", title=f"issue {tag(n)}",
                     severity=Severity.NIT if n % 2 else Severity.MUST_FIX)
                for n in range(35)]
    plan = plan_review(findings, CHANGES)
    assert len(plan.inline) == 30 and len(plan.overflow) == 5
    # most severe first: all 18 must_fix are inline, only nits overflow
    assert all(f.severity is Severity.NIT for f in plan.overflow)
    body = review_body(plan, HEAD)
    assert "#### 5 more past the limit of inline comments (🔴 0 must fix · 🟡 0 should fix " \
           "· 🟢 5 nit)" in body
    assert "🔴 18 must fix · 🟡 0 should fix · 🟢 17 nit — 30 inline" in body
    for f in plan.overflow:
        assert fp_marker(f.fingerprint) in body


def test_unanchorable_findings_are_listed_in_the_body_with_their_rationale():
    finding = make(10, rationale="Line ten is wrong.")
    plan = plan_review([finding, make(5)], CHANGES)
    body = review_body(plan, HEAD)
    assert "#### Not on a line of this diff" in body
    assert "`src/app.py:10`" in body and "Line ten is wrong." in body
    assert fp_marker(finding.fingerprint) in body
    assert fp_marker(plan.inline[0].finding.fingerprint) not in body


def test_already_posted_findings_are_skipped_and_counted():
    old, new = make(5), make(6)
    plan = plan_review([old, new], CHANGES, previous_fingerprints={old.fingerprint})
    assert [c.finding for c in plan.inline] == [new]
    assert plan.skipped_already_posted == 1
    assert plan.current == {old.fingerprint, new.fingerprint}
    assert "1 finding(s) already posted" in review_body(plan, HEAD)


def test_a_merged_duplicates_fingerprint_counts_as_posted():
    dup = make(5, merged_fingerprints=["f" * 64])
    plan = plan_review([dup], CHANGES, previous_fingerprints={"f" * 64})
    assert plan.empty and plan.skipped_already_posted == 1


def test_every_finding_is_accounted_for_exactly_once():
    findings = [make(n, title=f"t{tag(n)}") for n in range(1, 40)] + \
               [make(n, file="new.py", title=f"n{tag(n)}") for n in range(1, 6)]
    previous = {findings[3].fingerprint, findings[20].fingerprint}
    plan = plan_review(findings, CHANGES, previous_fingerprints=previous, max_inline=7)
    placed = [c.finding for c in plan.inline] + plan.body_findings + plan.overflow
    assert len(placed) + plan.skipped_already_posted == len(findings)
    assert len({f.fingerprint for f in placed}) == len(placed)
    assert len(plan.inline) == 7


# --- what is already on the PR -------------------------------------------------------------


def _comment(cid, fp, *, user="github-actions[bot]", line=5, resolved=False, path="src/app.py"):
    body = f"text\n{fp_marker(fp)}"
    if resolved:
        body = resolved_body(body, HEAD)
    return {"id": cid, "body": body, "path": path, "line": line, "user": {"login": user}}


def test_read_state_trusts_only_our_own_markers():
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    state = read_state(
        [_comment(1, a), _comment(2, b, user="mallory"), _comment(3, c, resolved=True)],
        [{"id": 9, "user": {"login": "github-actions[bot]"}, "body": f"x {fp_marker('d' * 64)}"},
         {"id": 10, "user": {"login": "mallory"}, "body": fp_marker("e" * 64)}],
        [{"id": 20, "user": {"login": "mallory"}, "body": SUMMARY_MARKER},
         {"id": 21, "user": {"login": "github-actions[bot]"},
          "body": summary_body("## Report", HEAD)}],
        trusted_authors=BOT_LOGINS)
    assert [p.id for p in state.comments] == [1, 3]
    assert state.comments[1].resolved
    assert state.fingerprints == {a, "d" * 64}
    assert state.summary_comment_id == 21
    assert state.last_reviewed_head == HEAD


def test_summary_body_has_head_and_marker():
    body = summary_body("## reviewloop\n\nall good\n", HEAD)
    assert f"_Last reviewed commit: {HEAD}_" in body
    assert SUMMARY_MARKER in body and f"<!-- reviewloop:head={HEAD} -->" in body


def test_gone_comments_full_and_incremental():
    kept, fixed, outdated, elsewhere = "1" * 64, "2" * 64, "3" * 64, "4" * 64
    state = PostedState(comments=[
        PostedComment(1, kept, "src/app.py", 5, False, ""),
        PostedComment(2, fixed, "src/app.py", 24, False, ""),
        PostedComment(3, outdated, "src/app.py", None, False, ""),
        PostedComment(4, elsewhere, "other.py", 3, False, ""),
        PostedComment(5, "5" * 64, "src/app.py", 5, True, RESOLVED_MARKER),
    ])
    assert [c.id for c in gone_comments(state, frozenset({kept}))] == [2, 3, 4]
    incremental = parse_diff(DIFF).filter(["src/app.py"])
    assert [c.id for c in gone_comments(state, frozenset({kept}), incremental)] == [2, 3]


def test_resolved_body_keeps_the_original_and_its_marker():
    body = resolved_body(f"orig\n{fp_marker('a' * 64)}", HEAD)
    assert body.startswith("✅ **Resolved** in c0ffee000000")
    assert RESOLVED_MARKER in body and re.search(r"fp=a{64}", body)
