"""The changed-files row's reading of a file's diff header."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.review.matrix import _NOT_A_FILE, _not_a_file

_LINES = st.sampled_from([
    "diff --git a/x b/x", "new file mode 120000", "new file mode 160000",
    "deleted file mode 120000", "new mode 160000", "old mode 120000", "mode 120000",
    "mode 160000", "new file mode 100644", "old mode 100755", "mode 1200000",
    "xmode 120000", "index 0000000..e69de29", "--- /dev/null", "+++ b/x", "mode 12",
    "0000", "new file ", "", "\r",
])


@given(st.lists(st.lists(_LINES, max_size=3).map("".join), max_size=6).map("\n".join))
def test_the_words_looked_for_first_never_change_the_answer(header: str) -> None:
    """A header whose text holds neither mode's words cannot match the pattern: the quick
    answer is always the pattern's own, whatever the lines are cut and joined into."""
    assert _not_a_file(header) == (_NOT_A_FILE.search(header) is not None)
