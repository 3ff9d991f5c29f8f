"""reviewloop.git.diff: parsing real git diffs, subsets, and errors that name the bad line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import UserInputError
from reviewloop.git.diff import ChangeSet, FileStatus, parse_diff, removal_points, render

# `git diff --cached -M` output (core.quotePath=false) covering the awkward cases at once.
GIT_DIFF = (
    "diff --git a/crlf.txt b/crlf.txt\n"
    "index 0aa0f34..a092d71 100644\n"
    "--- a/crlf.txt\n"
    "+++ b/crlf.txt\n"
    "@@ -1,2 +1,2 @@\n"
    " x\r\n"
    "-y\r\n"
    "+Y\r\n"
    "diff --git a/eol.txt b/eol.txt\n"
    "index da58862..0d61f25 100644\n"
    "--- a/eol.txt\n"
    "+++ b/eol.txt\n"
    "@@ -1 +1,2 @@\n"
    "-no eol\n"
    "\\ No newline at end of file\n"
    "+no eol\n"
    "+now\n"
    "\\ No newline at end of file\n"
    "diff --git a/gone.txt b/gone.txt\n"
    "deleted file mode 100644\n"
    "index 286c5f5..0000000\n"
    "--- a/gone.txt\n"
    "+++ /dev/null\n"
    "@@ -1 +0,0 @@\n"
    "-gone\n"
    "diff --git a/img.bin b/img.bin\n"
    "index 88768ef..3e3315e 100644\n"
    "Binary files a/img.bin and b/img.bin differ\n"
    "diff --git a/keep.txt b/keep.txt\n"
    "index f384549..704ef99 100644\n"
    "--- a/keep.txt\n"
    "+++ b/keep.txt\n"
    "@@ -1,4 +1,5 @@\n"
    " one\n"
    "-two\n"
    "+TWO\n"
    " three\n"
    " four\n"
    "+five\n"
    "\\ No newline at end of file\n"
    "diff --git a/old.py b/new.py\n"
    "similarity index 85%\n"
    "rename from old.py\n"
    "rename to new.py\n"
    "index 0fdf397..f9d9a01 100644\n"
    "--- a/old.py\n"
    "+++ b/new.py\n"
    "@@ -4,3 +4,4 @@ c\n"
    " d\n"
    " e\n"
    " f\n"
    "+g\n"
    "diff --git a/sp ace é.txt b/sp ace é.txt\n"
    "new file mode 100644\n"
    "index 0000000..92d5444\n"
    "--- /dev/null\n"
    "+++ b/sp ace é.txt\t\n"
    "@@ -0,0 +1 @@\n"
    "+fresh\n"
)

PURE_RENAME = (
    "diff --git a/docs/a.md b/docs/b.md\n"
    "similarity index 100%\n"
    "rename from docs/a.md\n"
    "rename to docs/b.md\n"
)

TWO_HUNKS = (
    "--- a/src/app.py\n"
    "+++ b/src/app.py\n"
    "@@ -1,3 +1,4 @@\n"
    " import os\n"
    "+import sys\n"
    " \n"
    " def main():\n"
    "@@ -20,6 +21,8 @@ def main():\n"
    "     a = 1\n"
    "     b = 2\n"
    "     c = 3\n"
    "+    d = 4\n"
    "+    e = 5\n"
    "     f = 6\n"
    "     g = 7\n"
    "     h = 8\n"
)


@pytest.fixture
def changes() -> ChangeSet:
    return parse_diff(GIT_DIFF, "git diff")


def test_every_file_is_listed_with_its_status(changes: ChangeSet) -> None:
    assert changes.paths == (
        "crlf.txt", "eol.txt", "gone.txt", "img.bin", "keep.txt", "new.py", "sp ace é.txt")
    status = {f.path: f.status for f in changes.files}
    assert status == {
        "crlf.txt": FileStatus.MODIFIED, "eol.txt": FileStatus.MODIFIED,
        "gone.txt": FileStatus.DELETED, "img.bin": FileStatus.MODIFIED,
        "keep.txt": FileStatus.MODIFIED, "new.py": FileStatus.RENAMED,
        "sp ace é.txt": FileStatus.ADDED}


def test_rename_keeps_both_paths_and_counts_new_file_lines(changes: ChangeSet) -> None:
    renamed = changes.file("new.py")
    assert renamed is not None
    assert renamed.old_path == "old.py"
    assert renamed.added_lines == (7,)
    assert renamed.hunks == ((4, 7),)
    assert changes.filter(["old.py"]).paths == ("new.py",)


def test_pure_rename_has_no_lines() -> None:
    (renamed,) = parse_diff(PURE_RENAME).files
    assert (renamed.path, renamed.old_path, renamed.status) == (
        "docs/b.md", "docs/a.md", FileStatus.RENAMED)
    assert renamed.added == () and renamed.hunks == ()


def test_deleted_file_is_named_by_its_old_path_and_has_nothing_to_anchor(
        changes: ChangeSet) -> None:
    gone = changes.file("gone.txt")
    assert gone is not None
    assert (gone.old_path, gone.removed, gone.added, gone.hunks) == ("gone.txt", 1, (), ())
    assert not changes.contains("gone.txt", 1)


def test_binary_file_is_listed_without_lines(changes: ChangeSet) -> None:
    binary = changes.file("img.bin")
    assert binary is not None
    assert binary.binary and binary.added == () and binary.hunks == ()
    assert "Binary files a/img.bin and b/img.bin differ" in binary.text


def test_no_newline_at_end_of_file_marker_is_not_a_line(changes: ChangeSet) -> None:
    eol = changes.file("eol.txt")
    keep = changes.file("keep.txt")
    assert eol is not None and keep is not None
    assert [(a.line, a.text) for a in eol.added] == [(1, "no eol"), (2, "now")]
    assert eol.removed == 1
    assert [(a.line, a.text) for a in keep.added] == [(2, "TWO"), (5, "five")]
    assert keep.changed_ranges == ((2, 2), (5, 5))


def test_crlf_content_lines_lose_their_line_ending_in_added_text(changes: ChangeSet) -> None:
    crlf = changes.file("crlf.txt")
    assert crlf is not None
    assert [(a.line, a.text) for a in crlf.added] == [(2, "Y")]


def test_whole_diff_saved_with_crlf_still_parses() -> None:
    windows = GIT_DIFF.replace("\r\n", "\n").replace("\n", "\r\n")
    changes = parse_diff(windows, "pr.diff")
    assert changes.paths == parse_diff(GIT_DIFF).paths
    assert changes.file("gone.txt").status == FileStatus.DELETED  # type: ignore[union-attr]
    assert changes.file("sp ace é.txt").status == FileStatus.ADDED  # type: ignore[union-attr]
    assert changes.stats() == parse_diff(GIT_DIFF).stats()


def test_quoted_paths_are_unquoted() -> None:
    quoted = GIT_DIFF.replace("sp ace é.txt", '"sp ace \\303\\251.txt"').replace(
        'a/"sp', '"a/sp').replace('b/"sp', '"b/sp')
    assert '"b/sp ace \\303\\251.txt"' in quoted
    assert parse_diff(quoted).paths[-1] == "sp ace é.txt"


def test_added_lines_ranges_and_hunks_across_two_hunks() -> None:
    changes = parse_diff(TWO_HUNKS)
    app = changes.file("src/app.py")
    assert app is not None
    assert app.added_lines == (2, 24, 25)
    assert app.changed_ranges == ((2, 2), (24, 25))
    assert app.hunks == ((1, 4), (21, 28))
    assert changes.changed_lines("src/app.py") == {2, 24, 25}
    assert changes.changed_lines("elsewhere.py") == set()


@pytest.mark.parametrize(("start", "end", "shown", "added"), [
    (2, None, True, True),
    (3, 3, True, False),  # context line: anchorable, not added
    (10, 15, False, False),  # between the hunks
    (20, 22, True, False),
    (25, 40, True, True),
    (29, 30, False, False),
])
def test_contains(start: int, end: int | None, shown: bool, added: bool) -> None:
    changes = parse_diff(TWO_HUNKS)
    assert changes.contains("src/app.py", start, end) is shown
    assert changes.contains("src/app.py", start, end, added_only=True) is added
    assert not changes.contains("other.py", start, end)


def test_stats(changes: ChangeSet) -> None:
    stats = changes.stats()
    assert (stats.files, stats.added, stats.removed) == (7, 7, 4)


def test_filter_keeps_diff_order_and_source(changes: ChangeSet) -> None:
    subset = changes.filter(["new.py", "crlf.txt", "not-there"])
    assert subset.paths == ("crlf.txt", "new.py")
    assert subset.source == "git diff"
    assert changes.filter([]).files == ()


def test_render_subset_reparses_to_the_same_files(changes: ChangeSet) -> None:
    text = render(GIT_DIFF, ["keep.txt", "img.bin", "gone.txt"])
    assert text.startswith("diff --git a/gone.txt b/gone.txt\n")
    again = parse_diff(text)
    assert again.paths == ("gone.txt", "img.bin", "keep.txt")
    for path in again.paths:
        assert again.file(path) == changes.file(path)


def test_render_everything_round_trips(changes: ChangeSet) -> None:
    text = render(changes)
    assert parse_diff(text, "git diff") == changes
    assert "+++ b/sp ace é.txt" in text
    assert len(render(changes, ["keep.txt"])) < len(text)


def test_changeset_is_plain_serialisable_data(changes: ChangeSet) -> None:
    assert ChangeSet.model_validate_json(changes.model_dump_json()) == changes


def test_empty_diff_is_an_empty_changeset() -> None:
    assert parse_diff("").files == ()
    assert parse_diff("\n\n").stats().files == 0


def test_diff_with_a_commit_message_in_front_parses() -> None:
    shown = "commit 0123abc\nAuthor: A <a@b>\n\n    subject\n\n" + TWO_HUNKS
    assert parse_diff(shown).paths == ("src/app.py",)


def test_bad_hunk_line_names_source_and_line() -> None:
    broken = TWO_HUNKS.replace("+import sys\n", "import sys\n")
    with pytest.raises(UserInputError) as caught:
        parse_diff(broken, "changes.diff")
    assert caught.value.where == "changes.diff:5"
    assert "'import sys'" in str(caught.value)
    assert str(caught.value).startswith("changes.diff:5: not a valid unified diff")
    assert "fix:" in str(caught.value)


def test_truncated_hunk_names_the_hunk_header() -> None:
    truncated = "".join(TWO_HUNKS.splitlines(keepends=True)[:12])
    with pytest.raises(UserInputError) as caught:
        parse_diff(truncated, "pr #7")
    assert caught.value.where == "pr #7:8"
    assert "ends (line 12) before the hunk at line 8" in str(caught.value)


def test_hunk_without_a_file_header_is_rejected() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_diff("\n@@ -1 +1 @@\n-a\n+b\n", "stdin")
    assert caught.value.where == "stdin:2"
    assert "@@ -1 +1 @@" in str(caught.value)


def test_text_that_is_not_a_diff_is_rejected() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_diff("\nhello\nworld\n", "notes.txt")
    assert caught.value.where == "notes.txt:2"
    assert "not a unified diff" in str(caught.value)


def test_next_file_header_inside_a_short_hunk_is_the_bad_line() -> None:
    short = TWO_HUNKS.replace("@@ -1,3 +1,4 @@", "@@ -1,9 +1,10 @@") + PURE_RENAME
    with pytest.raises(UserInputError) as caught:
        parse_diff(short, "x.diff")
    assert caught.value.where is not None and caught.value.where.startswith("x.diff:")


_DIFFISH = st.sampled_from([
    "diff --git a/x b/x\n", "diff --git a/x b/y\n", "--- a/x\n", "+++ b/x\n",
    "--- /dev/null\n", "+++ /dev/null\n", "@@ -1 +1 @@\n", "@@ -0,0 +1,2 @@\n",
    "@@ -1,2 +0,0 @@\n", "+a\n", "-b\n", " c\n", "\\ No newline at end of file\n", "\n",
    "\r\n", "Binary files a/x and b/x differ\n", "GIT binary patch\n", "new file mode 100644\n",
    "deleted file mode 100644\n", "rename from x\n", "rename to y\n", "old mode 100644\n",
    '--- "a/\\x\n', '+++ "b/\\303"\n', "index 1..2 100644\n", "junk\n", "--- \n", "+++ \n",
])


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_random_text_only_ever_raises_user_input_error(text: str) -> None:
    _parse_or_user_error(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(_DIFFISH, max_size=14).map("".join))
def test_diff_shaped_noise_only_ever_raises_user_input_error(text: str) -> None:
    _parse_or_user_error(text)


def _parse_or_user_error(text: str) -> None:
    try:
        changes = parse_diff(text, "fuzz")
    except UserInputError as exc:
        assert exc.where is not None and exc.where.startswith("fuzz:")
        return
    assert parse_diff(render(changes), "fuzz").paths == changes.paths


def test_a_filtered_or_copied_diff_answers_from_its_own_files():
    """Lookups are computed once per parsed diff; a copy must not answer from the original's."""
    text = "".join(f"diff --git a/{n} b/{n}\nnew file mode 100644\n--- /dev/null\n+++ b/{n}\n"
                   f"@@ -0,0 +1,2 @@\n+one\n+two\n" for n in ("a.py", "b.py"))
    changes = parse_diff(text)
    assert changes.file("a.py") is not None and changes.contains("a.py", 2, added_only=True)
    only_b = changes.filter(["b.py"])
    assert only_b.file("a.py") is None and not only_b.contains("a.py", 1)
    first = changes.files[0]
    assert first.added_lines == (1, 2)
    assert first.model_copy(update={"added": ()}).added_lines == ()
    assert first.adds_between(2, 9) and not first.adds_between(3, 9)


# --- where a change removed lines ----------------------------------------------------------

REMOVALS = (
    "--- a/infra/main.tf\n"
    "+++ b/infra/main.tf\n"
    "@@ -1,6 +1,5 @@\n"
    ' resource "aws_ebs_volume" "data" {\n'
    '   availability_zone = "us-east-1a"\n'
    "-  encrypted         = true\n"
    "   size              = 40\n"
    " }\n"
    " \n"
    "@@ -10,3 +9,3 @@\n"
    ' resource "aws_s3_bucket" "site" {\n'
    '-  acl = "private"\n'
    '+  acl = "public-read"\n'
    " }\n"
    "@@ -20,2 +18,0 @@\n"
    "-# trailing\n"
    "-# lines\n"
)


def test_removals_are_the_new_line_after_which_lines_were_removed() -> None:
    tf = parse_diff(REMOVALS).file("infra/main.tf")
    assert tf is not None
    # `encrypted` sat between new lines 2 and 3; the old acl line before new line 10; the
    # last hunk (`+18,0`) removed two lines after new line 18
    assert tf.removals == (2, 9, 18)
    assert tf.added_lines == (10,)


@pytest.mark.parametrize(("start", "end", "touched"), [
    (1, 4, True),  # the resource block around the deleted `encrypted = true`
    (2, 3, True),  # the two lines either side of it
    (2, 2, False),  # one line next to it: it does not span the removal
    (3, 3, False),
    (4, 5, False),  # context only
    (10, 10, True),  # an added line
    (18, 18, False),  # the end of the file, after which lines went
    (9, 11, True),  # the bucket whose acl line was replaced
])
def test_touches_means_an_added_line_or_a_removal_inside(start: int, end: int,
                                                        touched: bool) -> None:
    changes = parse_diff(REMOVALS)
    assert changes.touches("infra/main.tf", start, end) is touched
    assert not changes.touches("other.tf", start, end)


def test_removal_points_by_path_and_a_deleted_file_removes_at_its_top(
        changes: ChangeSet) -> None:
    assert removal_points(REMOVALS) == {"infra/main.tf": {2, 9, 18}}
    gone = changes.file("gone.txt")
    assert gone is not None and gone.removals == (0,)
