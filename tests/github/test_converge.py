"""The pure decisions of one push: what is new, fixed, back again, or still open."""

from __future__ import annotations

from reviewloop.findings import rounds
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.rounds import RoundInput, record
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github import converge as converge_module
from reviewloop.github.converge import converge, reexamined
from reviewloop.github.posted import PostedFinding, PostedState
from reviewloop.github.records import FindingRecord

# the push added line 6 of app.py; line 5 is only context
PUSH = parse_diff("""\
diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -3,4 +3,5 @@
 a = 1
 b = 2
 c = 3
+d = 4
 e = 5
""")


def finding(line: int, title: str = "problem", **kw) -> Finding:
    return Finding(**{"agent": "review-security", "severity": Severity.MUST_FIX,
                      "file": "app.py", "start_line": line, "end_line": line,
                      "title": title, "rationale": "why", "confidence": 0.9, **kw})


def posted(f: Finding, *, state: str = "open", line: int | None = None, inline: bool = True,
           away: bool = False) -> PostedFinding:
    return PostedFinding(FindingRecord.of(f), state=state, comment_id=1 if inline else None,
                         path=f.file, line=line if line is not None or not inline else None,
                         away=away)


def state(*items: PostedFinding) -> PostedState:
    return PostedState(findings={p.fingerprint: p for p in items})


def test_each_finding_lands_in_exactly_one_place():
    kept, gone, back, done, new = (finding(n, f"t{'abcde'[n - 1]}") for n in range(1, 6))
    conv = converge(state(posted(kept, line=1), posted(gone, line=2),
                          posted(back, state="fixed", line=3),
                          posted(done, state="fixed", line=4)), [kept, back, new])
    assert [f.fingerprint for f in conv.new] == [new.fingerprint]
    assert [p.fingerprint for p in conv.fixed] == [gone.fingerprint]
    assert [p.fingerprint for p in conv.reopened] == [back.fingerprint]
    assert [p.fingerprint for p in conv.still_open] == [kept.fingerprint]
    assert [p.fingerprint for p in conv.fixed_before] == [done.fingerprint]
    assert conv.open_counts == {"must_fix": 3, "should_fix": 0, "nit": 0}
    assert len(conv.fixed_records) == 2


def test_a_merged_duplicate_is_the_same_finding():
    old = finding(5)
    regrouped = finding(5, "other words", merged_fingerprints=[old.fingerprint])
    conv = converge(state(posted(old, line=5)), [regrouped])
    assert conv.new == [] and len(conv.still_open) == 1


def test_context_lines_do_not_reexamine_a_finding():
    next_door = posted(finding(5), line=5)
    assert PUSH.contains("app.py", 5) and not reexamined(next_door, PUSH)
    assert reexamined(posted(finding(6), line=6), PUSH)  # on the added line
    assert reexamined(next_door, None)  # the whole PR was reviewed again
    conv = converge(state(next_door), [], PUSH)
    assert conv.fixed == [] and conv.open_counts["must_fix"] == 1


def test_an_outdated_comment_was_looked_at_unless_its_finding_came_back_elsewhere():
    assert reexamined(posted(finding(5), line=None), PUSH)
    assert not reexamined(posted(finding(5), line=None, away=True), PUSH)
    assert reexamined(posted(finding(5), line=None, away=True), None)


def test_a_finding_listed_in_a_body_is_rejudged_only_by_a_full_review():
    listed = posted(finding(6), inline=False)
    assert not reexamined(listed, PUSH) and reexamined(listed, None)
    conv = converge(state(listed), [], None)
    assert [p.fingerprint for p in conv.fixed] == [listed.fingerprint]
    assert conv.body_fixed() == [listed.fingerprint]


# --- located by content: the finding's code, wherever it moved ---------------------------

EVAL = "eval(request.args['q'])\n"
# app.py at the head: PUSH added line 6 (`d = 4` here)
HEAD_FILE = ["x = 0\n", "y = 0\n", "a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n", "e = 5\n",
             "z = 0\n", EVAL]


def located(line: int, lines) -> Finding:
    return finding(line, "eval of input", source="bandit", rule="B307").with_code(lines)


def code(files: dict[str, list[str]]):
    return files.get


def test_a_moved_finding_found_by_its_code_is_still_open_when_its_lines_were_not_added():
    old = located(1, [EVAL])  # posted when it was line 1; now line 9, untouched
    p = posted(old, line=1)
    conv = converge(state(p), [], PUSH, code=code({"app.py": HEAD_FILE}))
    assert conv.fixed == [] and conv.waiting[p.fingerprint].startswith("its code was not")
    entry = conv.ledger("c" * 40).find([p.fingerprint])
    assert entry.status.value == "open" and "not changed by this push" in entry.reason


def test_code_that_is_gone_is_fixed_and_code_on_added_lines_was_rechecked():
    p = posted(located(1, [EVAL]), line=1)
    gone = converge(state(p), [], PUSH, code=code({"app.py": HEAD_FILE[:8]}))
    assert [x.fingerprint for x in gone.fixed] == [p.fingerprint]
    deleted = converge(state(p), [], PUSH, code=code({}))
    assert len(deleted.fixed) == 1
    rewritten = [*HEAD_FILE[:5], EVAL, *HEAD_FILE[6:8]]  # the eval now on added line 6
    moved_onto_added = converge(state(p), [], PUSH, code=code({"app.py": rewritten}))
    assert len(moved_onto_added.fixed) == 1


def test_a_file_read_with_its_whole_pr_diff_rechecks_its_findings_wherever_they_sit():
    """A follow-up that read the file's whole part of the PR's diff (`wide`: its pairing in
    the PR's diff changed) judged its code as a fresh review does: not reported is fixed,
    even on lines the push did not add; another file's finding still waits; a reporter
    that did not run still fixes nothing."""
    p = posted(located(1, [EVAL]), line=1)
    elsewhere = posted(finding(1, "eval of input", source="bandit", rule="B307",
                               file="lib.py").with_code([EVAL]), line=1)
    files = code({"app.py": HEAD_FILE, "lib.py": HEAD_FILE})
    conv = converge(state(p, elsewhere), [], PUSH, code=files, wide=frozenset({"app.py"}))
    assert [x.fingerprint for x in conv.fixed] == [p.fingerprint]
    assert [x.fingerprint for x in conv.still_open] == [elsewhere.fingerprint]
    down = [Health(kind="analyzer", name="bandit", agent="review-security", status="missing",
                   reason="not installed")]
    kept = converge(state(p), [], PUSH, code=files, health=down, wide=frozenset({"app.py"}))
    assert kept.fixed == [] and "missing" in kept.waiting[p.fingerprint]


def test_nothing_is_fixed_by_a_reviewer_or_analyzer_that_did_not_run():
    p = posted(located(1, [EVAL]), line=1)
    down = [Health(kind="analyzer", name="bandit", agent="review-security", status="failed",
                   reason="exit 2")]
    conv = converge(state(p), [], None, health=down)
    assert conv.fixed == [] and "bandit (review-security) failed" in conv.waiting[p.fingerprint]


def test_the_pr_ledger_counts_what_is_open_across_pushes():
    kept, gone, back, new = (finding(n, f"t{'abcd'[n - 1]}") for n in range(1, 5))
    conv = converge(state(posted(kept, line=1), posted(gone, line=2),
                          posted(back, state="fixed", line=3)), [kept, back, new])
    ledger = conv.ledger("d" * 40)
    assert ledger.counts()["open"] == conv.open_counts == {"must_fix": 3, "should_fix": 0,
                                                            "nit": 0}
    reopened = ledger.find([back.fingerprint])
    assert [t.status.value for t in reopened.history] == ["fixed", "open"]
    assert reopened.reason == "reported again at dddddddddddd"
    assert ledger.find([gone.fingerprint]).status.value == "fixed"


def test_a_nosec_the_push_added_keeps_the_posted_finding_open_not_fixed():
    """The push appends `# nosec` to the flagged call: bandit (which ignores change-added
    markers) reports B602 there again under a new fingerprint. The posted finding stays open
    under its id; nothing is fixed and nothing is posted as new."""
    before = ["import subprocess", "", "def run(cmd):", "    subprocess.call(cmd, shell=True)"]
    after = [*before[:3], "    subprocess.call(cmd, shell=True)  # nosec"]
    old = finding(4, "subprocess call with shell=True", source="bandit", rule="B602"
                  ).with_code(before)
    again = finding(4, "subprocess call with shell=True", source="bandit", rule="B602"
                    ).with_code(after)
    assert again.fingerprint != old.fingerprint
    conv = converge(state(posted(old, line=4)), [again], None)
    assert conv.new == [] and conv.fixed == []
    assert [p.fingerprint for p in conv.still_open] == [old.fingerprint]
    # a B602 far from it, or another rule there, is a new finding; the old one is fixed
    far = finding(40, "subprocess call with shell=True", source="bandit", rule="B602")
    other = finding(4, "start_process_with_a_shell", source="bandit", rule="B605")
    moved_on = converge(state(posted(old, line=4)), [far, other], None)
    assert {f.fingerprint for f in moved_on.new} == {far.fingerprint, other.fingerprint}
    assert [p.fingerprint for p in moved_on.fixed] == [old.fingerprint]


def test_a_push_moves_the_pr_entries_as_a_run_round_moves_its_own():
    """One mover (findings.rounds.move): on the same findings, a push and a run's round
    reopen, keep under its id and fix the same entries."""
    kept, back, reworded, gone = (finding(n, f"the {w} problem") for n, w in
                                  enumerate(("kept", "back", "reworded", "gone"), 1))
    again = finding(3, "the reworded problem here")
    assert again.fingerprint != reworded.fingerprint
    before = [(kept, "open"), (back, "fixed"), (reworded, "open"), (gone, "open")]
    pushed = converge(state(*(posted(f, state=s, line=f.start_line) for f, s in before)),
                      [kept, back, again]).ledger("e" * 40)
    run = record(Ledger(round=1, entries=[
        Entry.single(f, Status.FIXED if s == "fixed" else Status.OPEN, "round 1")
        for f, s in before]), RoundInput(
        round=2, reported=[kept, back, again], scope={"app.py": range(1, 10)},
        health=[Health(kind="reviewer", name="review-security", status="ok")]))

    def statuses(ledger):
        return {e.id: e.status for e in ledger.entries}

    assert converge_module.move is rounds.move  # not a second mover in github/
    assert statuses(pushed) == statuses(run) == {
        kept.fingerprint: Status.OPEN, back.fingerprint: Status.OPEN,
        reworded.fingerprint: Status.OPEN, gone.fingerprint: Status.FIXED}
