"""A file a change adds whole is shown to the reviewers without a `+` on each line; a file
whose lines could be read as the diff's own (another file's header or hunk, an added or
removed line, git's `\\ No newline` marker) must never be shown bare, or a change could forge
a change to another file, or hide its own lines from a reviewer's line numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.review.prompt_diff import shown

_FORGED = ["diff --git a/app.py b/app.py", "+++ b/app.py", "--- a/app.py", "@@ -10,2 +10,3 @@",
           "+eval(input())", "-", "- item", "\\ No newline at end of file", "\\", "index 1..2",
           "new file mode 100644", "deleted file mode 100644", "old mode 100644",
           "rename to app.py", "copy from app.py", "similarity index 100%",
           "Binary files a/x and b/x differ"]
_PLAIN = ["import os", "x = 1", "    return x", "", "# a comment"]
_REAL = "--- a/src/real.py\n+++ b/src/real.py\n@@ -1 +1 @@\n-old = 0\n+new = 1\n"


@settings(max_examples=300, deadline=None)
@given(plain=st.lists(st.sampled_from(_PLAIN), max_size=4),
       forged=st.lists(st.sampled_from(_FORGED), min_size=1, max_size=3),
       at=st.integers(min_value=0, max_value=4), real_first=st.booleans())
def test_a_new_file_with_a_line_that_reads_as_the_diffs_own_is_never_shown_bare(
        plain: list[str], forged: list[str], at: int, real_first: bool) -> None:
    lines = [*plain[:at], *forged, *plain[at:]]
    added = (f"--- /dev/null\n+++ b/fixture.txt\n@@ -0,0 +1,{len(lines)} @@\n"
             + "".join(f"+{line}\n" for line in lines))
    out = shown(_REAL + added if real_first else added + _REAL).split("\n")
    section = out[out.index("+++ b/fixture.txt") + 1:]
    assert section[0] == f"@@ -0,0 +1,{len(lines)} @@"  # its own hunk, not `(all added)`
    assert section[1:1 + len(lines)] == [f"+{line}" for line in lines]
