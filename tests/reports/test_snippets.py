"""A finding's code on the report, read from the run's own round diffs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Status
from reviewloop.findings.schema import Finding
from reviewloop.reports import snippets as snippets_module
from reviewloop.reports.snippets import CONTEXT, MOST, snippets

ROUND_1 = """\
diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1,4 +1,8 @@
 import subprocess
+import os
~
~
 def run(cmd):
+    token = "ghp_R7x2Kq9LmZ4vB8nW3pT6yH1cJ5dF0sA2eG7u"
+    return subprocess.call(cmd, shell=True)
+
""".replace("~", " ")  # ~: a blank context line
ROUND_2 = """\
diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -5,4 +5,4 @@
 def run(cmd):
     token = "ghp_R7x2Kq9LmZ4vB8nW3pT6yH1cJ5dF0sA2eG7u"
-    return subprocess.call(cmd, shell=True)
+    return subprocess.call(cmd.split())
~
""".replace("~", " ")


def entry(line: int, *, file: str = "app.py", rounds: tuple[int, ...] = (1,)) -> Entry:
    found = Finding(severity="must_fix", file=file, start_line=line, end_line=line,
                    title="shell", rationale="r", confidence=0.9, agent="review-security")
    one = Entry.single(found, Status.OPEN, "reported", rounds[0])
    for later in rounds[1:]:
        one = one.moved_to(Status.FIXED, "gone", later)
    return one


def test_the_code_around_the_finding_from_the_round_that_reported_it():
    reported = entry(7)
    code = snippets([reported], {1: ROUND_1, 2: ROUND_2})[reported.id]
    assert code.round == 1
    assert [(c.number, c.added, c.flagged) for c in code.lines] == [
        (4, False, False), (5, False, False), (6, True, False), (7, True, True),
        (8, True, False)]
    assert "shell=True" in code.lines[3].text
    assert "ghp_R7x2" not in "".join(c.text for c in code.lines)  # redacted


def test_a_fixed_finding_shows_the_code_it_was_reported_on_and_outside_ones_none():
    fixed = entry(7, rounds=(1, 2))  # fixed in round 2: shown as round 1 reported it
    code = snippets([fixed], {1: ROUND_1, 2: ROUND_2})[fixed.id]
    assert code.round == 1 and "shell=True" in code.lines[3].text
    again = entry(6, rounds=(2,))  # reported in round 2 (its lines as round 2 numbers them)
    assert "cmd.split()" in snippets([again], {1: ROUND_1, 2: ROUND_2})[again.id].lines[2].text
    assert snippets([entry(40)], {1: ROUND_1}) == {}  # on no line of any diff
    assert snippets([entry(2, file="other.py")], {1: ROUND_1}) == {}
    assert snippets([entry(7, file=".env")], {1: ROUND_1.replace("app.py", ".env")}) == {}
    assert snippets([entry(7)], {1: "not a diff at all"}) == {}


def _added_file(name: str, count: int) -> str:
    body = "".join(f"+v{i} = {i}\n" for i in range(1, count + 1))
    return (f"diff --git a/{name} b/{name}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{name}\n@@ -0,0 +1,{count} @@\n{body}")


@settings(max_examples=40, deadline=None)
@given(count=st.integers(1, 60), lines=st.lists(st.integers(-3, 70), max_size=12))
def test_every_finding_shows_the_lines_around_it_from_one_parse_of_its_files_hunks(
        count, lines):
    """`report --html` re-parsed a file's hunks for every finding: 10,000 findings on five
    files of 2,000 lines took 155 s. Each file's hunks are read once per round, and every
    finding still gets the lines within CONTEXT of it, at most MOST, flagged on its own."""
    calls: list[str] = []
    real = snippets_module.hunks
    diff = _added_file("m1.py", count) + _added_file("m2.py", count)
    entries = [entry(max(start, 1), file=f"m{1 + i % 2}.py") for i, start in enumerate(lines)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snippets_module, "hunks",
                      lambda diff: calls.append(diff.path) or real(diff))
        shown = snippets(entries, {1: diff})
    assert sorted(calls) == sorted({e.finding.file for e in entries})
    for one in entries:
        start = one.finding.start_line
        if start > count:
            assert one.id not in shown
            continue
        code = shown[one.id]
        expected = [n for n in range(start - CONTEXT, start + CONTEXT + 1) if 1 <= n <= count]
        assert [c.number for c in code.lines] == expected[:MOST]
        assert [c.number for c in code.lines if c.flagged] == [start]
        assert all(c.added and c.text == f"v{c.number} = {c.number}" for c in code.lines)
