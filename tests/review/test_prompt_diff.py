"""The diff as reviewers read it: the header lines that repeat `+++` left out, every changed
line kept with one unchanged line on each side, hunks cut where changes are further apart."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.review.prompt_diff import CONTEXT, shown

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


def test_a_new_file_keeps_every_added_line_and_its_hunk_from_nothing():
    # `+++ x` is an added line `++ x`, not a header: only headers lose lines
    assert shown(NEW) == "+++ b/app.py\n@@ -0,0 +1,2 @@\n+import os\n+++ x\n"


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
    assert shown(wide) == narrow.replace("--- a/f\n", "", 1)
