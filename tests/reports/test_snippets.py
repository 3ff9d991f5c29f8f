"""A finding's code on the report, read from the run's own round diffs."""

from __future__ import annotations

from reviewloop.findings.ledger import Entry, Status
from reviewloop.findings.schema import Finding
from reviewloop.reports.snippets import snippets

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
