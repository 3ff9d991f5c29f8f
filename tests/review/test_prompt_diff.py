"""The diff as reviewers read it: the header lines that repeat `---`/`+++` left out, hunks kept."""

from __future__ import annotations

from reviewloop.review.prompt_diff import shown

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


def test_a_new_file_keeps_its_dev_null_side_and_every_added_line():
    # `+++ x` is an added line `++ x`, not a header: only headers lose lines
    assert shown(NEW) == "--- /dev/null\n+++ b/app.py\n@@ -0,0 +1,2 @@\n+import os\n+++ x\n"


def test_a_modified_file_loses_its_git_and_index_lines_only():
    assert shown(MODIFIED) == "--- a/lib.py\n+++ b/lib.py\n@@ -1 +1 @@\n-old\n+new\n"


def test_headers_without_a_plus_plus_plus_line_are_kept_whole_but_the_blob_ids():
    assert shown(RENAMED) == RENAMED.replace("index 0000000..3b18e51\n", "")


def test_a_plain_diff_is_left_as_it_is():
    plain = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
    assert shown(plain) == plain
