"""The diff as reviewers read it: the header lines that repeat `+++` left out, every changed
line kept with one unchanged line on each side, hunks cut where changes are further apart, a
file written whole shown once without a `+` on each line."""

from __future__ import annotations

import difflib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.diff import parse_diff
from reviewloop.review.prompt_diff import CONTEXT, fenced, shown

NEW = """diff --git a/app.py b/app.py
new file mode 100644
index 0000000..3b18e51
--- /dev/null
+++ b/app.py
@@ -0,0 +1,2 @@
+import os
+++ x
"""

MODIFIED = """diff --git a/lib.py b/lib.py
index 3b18e51..a2b9c01 100755
--- a/lib.py
+++ b/lib.py
@@ -1 +1 @@
-old
+new
"""

RENAMED = """diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
diff --git a/logo.png b/logo.png
new file mode 100755
index 0000000..3b18e51
Binary files /dev/null and b/logo.png differ
"""


def test_a_new_file_is_shown_whole_under_its_name_without_a_plus_on_each_line():
    plain = NEW.replace("+++ x\n", "+x = 1\n")
    assert shown(plain) == "+++ b/app.py (all added, lines 1-2)\nimport os\nx = 1\n"
    # `+++ x` is an added line `++ x`, not a header; bare, it would read as an added line
    assert shown(NEW) == "+++ b/app.py\n@@ -0,0 +1,2 @@\n+import os\n+++ x\n"
    one = NEW.replace("@@ -0,0 +1,2 @@\n+import os\n", "@@ -0,0 +1 @@\n").replace(
        "+++ x\n", "+x\n\\ No newline at end of file\n")
    assert shown(one) == "+++ b/app.py (all added, lines 1-1)\nx\n\\ No newline at end of file\n"


@pytest.mark.parametrize("line", [
    "diff --git a/app.py b/app.py", "+++ b/app.py", "--- a/app.py", "@@ -10,2 +10,3 @@",
    "+eval(input())", "- item", "\\ not the marker", "index 1234567..89abcde 100644",
    "new file mode 100644", "rename from x", "similarity index 90%", "Binary files differ"])
def test_a_new_file_with_a_line_that_reads_as_the_diffs_own_keeps_its_pluses(line: str):
    """A patch, a fixture or a list added whole: bare, its lines would read as another file's
    header, hunk, added or removed line, and a reviewer would place a finding on them."""
    diff = f"--- /dev/null\n+++ b/fixture.diff\n@@ -0,0 +1,2 @@\n+first\n+{line}\n"
    assert shown(diff) == f"+++ b/fixture.diff\n@@ -0,0 +1,2 @@\n+first\n+{line}\n"


def test_a_file_that_was_empty_is_shown_whole_too_a_mixed_hunk_from_nothing_is_not():
    emptied = "--- a/e\n+++ b/e\n@@ -0,0 +1,2 @@\n+a\n+b\n"
    assert shown(emptied) == "+++ b/e (all added, lines 1-2)\na\nb\n"
    odd = "--- a/e\n+++ b/e\n@@ -0,0 +1,2 @@\n+a\n b\n"  # not git's: kept as a hunk
    assert shown(odd) == odd.removeprefix("--- a/e\n")


def test_the_fence_outlasts_any_run_of_backticks_in_the_diff():
    assert fenced("+x\n") == "```diff\n+x\n```"
    assert fenced("+++ b/r.md (all added, lines 1-1)\n````\n") == (
        "`````diff\n+++ b/r.md (all added, lines 1-1)\n````\n`````")


def test_a_modified_file_loses_its_git_index_and_repeated_minus_lines_only():
    assert shown(MODIFIED) == "+++ b/lib.py\n@@ -1 +1 @@\n-old\n+new\n"


def test_a_deleted_file_keeps_both_sides():
    deleted = "--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    assert shown(deleted) == deleted


def test_a_renamed_and_edited_file_keeps_its_old_name():
    renamed = ("diff --git a/old.py b/new.py\nrename from old.py\nrename to new.py\n"
               "--- a/old.py\n+++ b/new.py\n@@ -1 +1 @@\n-a\n+b\n")
    assert shown(renamed) == renamed.removeprefix("diff --git a/old.py b/new.py\n")


def test_headers_without_a_plus_plus_plus_line_are_kept_whole_but_the_blob_ids():
    assert shown(RENAMED) == RENAMED.replace("index 0000000..3b18e51\n", "")


def test_a_plain_diff_of_two_files_keeps_each_hunk_to_its_counted_lines():
    # the second file's `--- a/y` follows a hunk: it is a header, not a removed line
    plain = ("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
             "--- a/y\n+++ b/y\n@@ -1,2 +1,2 @@\n-c\n+d\n e\n")
    assert shown(plain) == ("+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
                            "+++ b/y\n@@ -1,2 +1,2 @@\n-c\n+d\n e\n")


def test_far_apart_changes_become_two_hunks_with_exact_line_numbers():
    old = [f"line {i}\n" for i in range(1, 21)]
    new = [*old[:2], "changed 3\n", *old[3:16], "changed 17\n", *old[17:]]
    diff = "".join(difflib.unified_diff(old, new, "a/f.py", "b/f.py", n=3))
    assert shown(diff.replace("@@\n", "@@ def f():\n", 1)) == (
        "+++ b/f.py\n"
        "@@ -2,3 +2,3 @@ def f():\n line 2\n-line 3\n+changed 3\n line 4\n"
        "@@ -16,3 +16,3 @@\n line 16\n-line 17\n+changed 17\n line 18\n")


def test_no_newline_marker_stays_with_its_line():
    diff = ("--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n a\n b\n c\n-d\n\\ No newline at end of file\n"
            "+e\n\\ No newline at end of file\n")
    assert shown(diff) == ("+++ b/f\n@@ -3,2 +3,2 @@\n c\n-d\n\\ No newline at end of file\n"
                           "+e\n\\ No newline at end of file\n")


def test_a_form_feed_or_line_separator_inside_a_line_does_not_cut_it():
    old = [f"line {i}\n" for i in range(1, 12)]
    new = [*old[:1], "a\x0cb\u2028c\r\n", *old[2:10], "changed 10\n", *old[10:]]
    wide = "".join(difflib.unified_diff(old, new, "a/f", "b/f", n=3))
    narrow = "".join(difflib.unified_diff(old, new, "a/f", "b/f", n=CONTEXT))
    assert shown(wide) == narrow.replace("--- a/f\n", "", 1)
    assert "+a\x0cb\u2028c\r\n line 3\n@@ -10,2 +10,3 @@\n" in shown(wide)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f\x0cg"]), max_size=40),
       st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f\x0cg"]), max_size=40))
def test_the_hunks_are_a_diff_with_fewer_context_lines(old: list[str], new: list[str]):
    """Whatever the change: the same hunks, line numbers and changed lines as the diff made
    with `CONTEXT` lines in the first place (only the repeated `---` line is left out)."""
    a, b = [f"{c}\n" for c in old], [f"{c}\n" for c in new]
    wide = "".join(difflib.unified_diff(a, b, "a/f", "b/f", n=3))
    narrow = "".join(difflib.unified_diff(a, b, "a/f", "b/f", n=CONTEXT))
    if a or not b:
        assert shown(wide) == narrow.replace("--- a/f\n", "", 1)
    else:  # a file written whole
        assert shown(wide) == f"+++ b/f (all added, lines 1-{len(b)})\n" + "".join(b)


# Lines a reviewer may meet in a file, header look-alikes and fences among them.
_LINE = st.sampled_from(["a", "b", "", " c", "+d", "-e", "+++ b/f (all added, lines 1-1)",
                         "@@ -1 +1 @@", "--- a/x", "diff --git a/x b/x", "\\ no", "```",
                         "f\x0cg", "h\r"])
_FILE = st.tuples(st.sampled_from(["f.py", "docs/r.md", "x y.txt"]),
                  st.lists(_LINE, max_size=12), st.lists(_LINE, max_size=12), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(_FILE, min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_the_shown_diff_round_trips_to_the_same_added_and_removed_lines(files):
    """Read back as a reviewer reads it (the `+++` line, `@@` counts, or `lines 1-N`), the
    shown diff holds every added line with its new-file number and every removed line with
    its old-file number, exactly as git's diff does (`parse_diff`, which the findings' line
    checks use): nothing a reviewer cites is lost or renumbered."""
    diff = "".join(_git_diff(*file) for file in files)
    assert _read(shown(diff)) == _truth(diff)


def _git_diff(path: str, old: list[str], new: list[str], created: bool) -> str:
    a = [] if created else [f"{line}\n" for line in old]
    b = [f"{line}\n" for line in new]
    body = "".join(difflib.unified_diff(a, b, n=3))
    if not body:
        return ""
    body = body[body.index("@@"):]
    head = (f"diff --git a/{path} b/{path}\n" + ("new file mode 100644\n--- /dev/null\n"
            if created else f"--- a/{path}\n") + f"+++ b/{path}\n")
    return head + body


def _truth(diff: str) -> dict[str, tuple[list[tuple[int, str]], list[tuple[int, str]]]]:
    out = {}
    for f in parse_diff(diff).files:
        added = [(a.line, a.text) for a in f.added]
        out[f.path] = (added, _read(diff)[f.path][1])
    return out


def _read(text: str) -> dict[str, tuple[list[tuple[int, str]], list[tuple[int, str]]]]:
    """(added (new line, text), removed (old line, text)) per file of a diff as shown."""
    out: dict[str, tuple[list[tuple[int, str]], list[tuple[int, str]]]] = {}
    lines = [line.removesuffix("\r") for line in text.split("\n")[:-1]]  # as parse_diff
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("+++ "):
            continue
        whole = re.fullmatch(r"\+\+\+ b/(.*) \(all added, lines 1-(\d+)\)", line)
        path = whole[1] if whole else line[6:]
        added, removed = out.setdefault(path, ([], []))
        if whole:
            added += [(n + 1, lines[i + n]) for n in range(int(whole[2]))]
            i += int(whole[2])
        while i < len(lines) and (hunk := re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@",
                                                   lines[i])):
            old_no, new_no = int(hunk[1]) - (hunk[2] != "0"), int(hunk[3]) - (hunk[4] != "0")
            left = [int(hunk[2] or 1), int(hunk[4] or 1)]
            i += 1
            while i < len(lines) and (max(left) > 0 or lines[i].startswith("\\")):
                kind, body = lines[i][:1], lines[i][1:]
                i += 1
                if kind == "\\":
                    continue
                if kind != "+":
                    old_no, left[0] = old_no + 1, left[0] - 1
                if kind != "-":
                    new_no, left[1] = new_no + 1, left[1] - 1
                if kind == "+":
                    added.append((new_no, body))
                elif kind == "-":
                    removed.append((old_no, body))
    return out
