"""`test-changes` on a follow-up push is judged on the PR's whole change
(`github.whole_checks`): the focused part a push reads cannot say whether the PR changes a
test. Before, a push changing code and no test added a second "no test change" (or one the
PR as a whole did not deserve); now the PR's change decides, and the finding posted before
keeps its identity.

Generated: the PR's change (with or without a test file, with or without production code) ×
what was posted before (nothing, the finding open, fixed, or ignored) × whether the push's own
run reported one × whether it read the PR whole or a part; the oracle is plain: whether the
PR's diff names a test file."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.test_changes import NAME, RULE
from reviewloop.findings.ledger import Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github.converge import converge
from reviewloop.github.ignores import IgnoreRecord
from reviewloop.github.posted import PostedFinding, PostedState
from reviewloop.github.records import FindingRecord
from reviewloop.github.whole_checks import judged_whole


def _diff(*paths: str) -> str:
    return "".join(f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n"
                   f"@@ -0,0 +1 @@\n+x = 1\n" for p in paths)


def missing(file: str) -> Finding:
    return Finding(severity=Severity.SHOULD_FIX, file=file, start_line=1, end_line=1,
                   title="Production code changed with no test change", rationale="r",
                   confidence=0.7, agent="review-test-quality", source=NAME, rule=RULE,
                   level="file")


OTHER = Finding(severity=Severity.MUST_FIX, file="f.py", start_line=1, end_line=1,
                title="shell", rationale="r", confidence=0.9, agent="review-security",
                source="bandit", rule="B602")
CHANGES = {"tests and code": ("app.py", "f.py", "tests/test_app.py"),
           "code only": ("app.py", "f.py"), "docs only": ("README.md",)}
POSTED = ("nothing", "open", "fixed", "ignored")


def test_test_changes_is_judged_on_the_whole_pr_with_one_identity() -> None:
    wrong = []
    for (name, paths), was, focused, whole in itertools.product(
            CHANGES.items(), POSTED, (True, False), (False, True)):
        full = parse_diff(_diff(*paths))
        first = missing("app.py")  # the first review's, on the PR's first production file
        findings = {}
        ignored = {}
        if was != "nothing":
            findings[first.fingerprint] = PostedFinding(
                FindingRecord.of(first), state="fixed" if was == "fixed" else "open",
                comment_id=1, path="app.py", line=1)
        if was == "ignored":
            ignored[first.fingerprint] = IgnoreRecord(first.fingerprint, "a", "r", 2)
        state = PostedState(findings=findings, ignored=ignored)
        push = [OTHER, *([missing("f.py")] if focused else [])]  # the push read f.py only
        got, state = judged_whole(push, full, state, whole=whole)
        conv = converge(state, got, parse_diff(_diff("f.py")))
        tested = any(p.startswith("tests/") for p in paths)  # plain: the PR's diff
        production = any(p.endswith(".py") for p in paths)
        mine = [e for e in conv.ledger("h").entries if e.finding.source == NAME
                and e.status is Status.OPEN]
        # posted before (open, fixed): that one, open; ignored: still ignored
        # read whole, the check's own "none" (tests ran it, no behaviour changed) stands
        want = 0 if tested or not production or was == "ignored" or (whole and not focused) \
            else int(was != "nothing" or focused)
        if len(mine) != want or OTHER not in got or (
                was != "nothing" and want and mine[0].id != first.fingerprint):
            wrong.append((name, was, focused, whole,
                          [(e.finding.file, e.status) for e in mine]))
        if was == "open" and not want and conv.still_open:
            wrong.append((name, was, focused, whole, "kept open"))
    assert not wrong, wrong


def _renamed_diff(old: str, new: str) -> str:
    """A file the PR's change shows as renamed away (`old` is no longer at the head)."""
    return (f"diff --git a/{old} b/{new}\nsimilarity index 60%\nrename from {old}\n"
            f"rename to {new}\n--- a/{old}\n+++ b/{new}\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n")


def _deleted_diff(path: str) -> str:
    return (f"diff --git a/{path} b/{path}\ndeleted file mode 100644\n--- a/{path}\n"
            "+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n")


@settings(max_examples=200, deadline=None)
@given(posted_on=st.sampled_from(["app.py", "old.py", "gone.py"]),
       head=st.lists(st.sampled_from(["lib.py", "f.py", "README.md", "app.py"]),
                     min_size=1, max_size=4, unique=True),
       renamed_to=st.sampled_from(["new.py", "new.md"]),
       was=st.sampled_from(["open", "fixed", "ignored"]), focused=st.booleans(),
       whole=st.booleans())
def test_the_posted_no_test_change_sits_on_a_file_of_the_pr_at_its_head(
        posted_on: str, head: list[str], renamed_to: str, was: str, focused: bool,
        whole: bool) -> None:
    """However the file it was posted on left the PR (renamed away in a way no push's
    rename followed, deleted), the one "no test change" keeps its identity and sits on a
    production file of the PR at its head; its comment follows it (the record moves)."""
    text = _diff(*head) + _renamed_diff("old.py", renamed_to) + _deleted_diff("gone.py")
    full = parse_diff(text)
    at_head = {f.path for f in full.files if f.status.value != "deleted"}
    first = missing(posted_on)
    findings = {first.fingerprint: PostedFinding(
        FindingRecord.of(first), state="fixed" if was == "fixed" else "open", comment_id=1,
        path=posted_on, line=1)}
    ignored = {first.fingerprint: IgnoreRecord(first.fingerprint, "a", "r", 2)} \
        if was == "ignored" else {}
    state = PostedState(findings=findings, ignored=ignored)
    own = [missing(focus) for focus in head if focus.endswith(".py")][:1] if focused else []
    got, after = judged_whole([OTHER, *own], full, state, whole=whole)
    mine = [f for f in got if f.source == NAME]
    if not any(p.endswith(".py") for p in at_head) or (whole and not own):
        # no production code left in the PR, or read whole with no report of its own (the
        # check's own "none" stands): no finding
        assert not mine
        return
    (finding,) = mine
    assert finding.fingerprint == first.fingerprint  # one identity, one thread
    assert finding.file in at_head and finding.file.endswith(".py"), (finding.file, text)
    if own and own[0].file in at_head and posted_on not in at_head:
        assert (finding.file, finding.start_line) == (own[0].file, own[0].start_line)
    if posted_on in at_head:
        assert finding.file == posted_on  # nothing to move
    record = after.findings[first.fingerprint].record
    assert (record.file, record.start_line) == (finding.file, finding.start_line)
    conv = converge(after, got, full)
    [entry] = [e for e in conv.ledger("h").entries if e.finding.source == NAME]
    assert entry.finding.file in at_head
    assert entry.status is (Status.SUPPRESSED if was == "ignored" else Status.OPEN)
