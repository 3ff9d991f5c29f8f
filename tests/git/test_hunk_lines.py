"""reviewloop.git.hunk_lines: a diff's added lines, removal points and removed count, read
from its lines after unidiff's header-only parse, are what unidiff's full parse of every
line gives — on generated diffs (names with spaces, several files and hunks, the no-newline
marker, blank and CR lines, miscounted hunks) and diff-shaped noise; a diff it rejects is
rejected at the same line with the same words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from reviewloop.errors import UserInputError
from reviewloop.git.diff import parse_diff
from reviewloop.git.hunk_lines import AddedLine, Lines
from tests.support.hunk_bodies import hunk_body

_KINDS = ["+", "-", " ", "\\", "blank", "cr", "+-- x y", "-++ a b", "-@@ -1 +1 @@"]


@st.composite
def _diffs(draw: st.DrawFn) -> str:
    """A diff of one to three files, each with one to three hunks whose counts are right,
    or now and then one off (a bad diff), with junk or blank lines between parts."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(["x", "a b", "d/y z.py", "new", "é"]))
        new = draw(st.booleans())
        out.append(f"diff --git a/{name} b/{name}\n")
        out.append("new file mode 100644\n--- /dev/null\n" if new else f"--- a/{name}\n")
        out.append(f"+++ b/{name}\n")
        start = 1
        for _ in range(draw(st.integers(1, 3))):
            kinds = draw(st.lists(st.sampled_from(["+"] if new else _KINDS), min_size=1,
                                  max_size=8))
            body, old, added = hunk_body(kinds)
            off = draw(st.sampled_from([0] * 12 + [-1, 1]))
            old_start = 0 if new else start
            out.append(f"@@ -{old_start},{old} +{start},{added + off} @@\n")
            out.extend(body)
            start += added + 5
        out.append(draw(st.sampled_from(["", "", "", "\n", "junk line\n"])))
    return "".join(out)


_NOISE = st.sampled_from([
    "diff --git a/x b/x\n", "diff --git a/x y b/x y\n", "--- a/x\n", "+++ b/x\n",
    "--- /dev/null\n", "@@ -1 +1 @@\n", "@@ -0,0 +1,2 @@\n", "@@ -1,2 +0,0 @@\n",
    "@@ -1,0 +1,0 @@\n", "+a\n", "-b\n", " c\n", "\\ No newline at end of file\n", "\n",
    "\r\n", "\rx\n", "Binary files a/x and b/x differ\n", "rename from x y\n",
    "rename to y\n", "+++ b/a b\n", "junk\n",
])


def _reference(text: str) -> list[tuple[tuple[tuple[int, str], ...], tuple[int, ...], int]] \
        | tuple[str, str]:
    """Each file's (added lines, removal points, removed count) from unidiff's full parse
    (every line an object), or (where, message) of the error `parse_diff` gives."""
    lines = Lines(text)
    try:
        patch = PatchSet(lines)
    except UnidiffParseError as exc:
        at = lines.hunk if str(exc).startswith("Hunk is shorter") else lines.read
        return f"fuzz:{at}", str(exc).split(":", 1)[0].lower()
    found = []
    for pf in patch:
        added, removals, removed = [], [], 0
        for hunk in pf:
            last = hunk.target_start - 1 if hunk.target_length else hunk.target_start
            removing = False
            for line in hunk:
                if line.line_type == "-":
                    removed += 1
                    if not removing:
                        removals.append(last)
                    removing = True
                elif line.target_line_no is not None:
                    last, removing = line.target_line_no, False
                    if line.line_type == "+":
                        added.append((last, line.value.removesuffix("\n").removesuffix("\r")))
        found.append((tuple(added), tuple(removals), removed))
    return found


def _same_as_unidiff(text: str) -> None:
    expected = _reference(text)
    try:
        changes = parse_diff(text, "fuzz")
    except UserInputError as exc:
        if expected == []:  # no file header at all: not a diff
            assert exc.args[0].startswith("not a unified diff: no `diff --git`")
            return
        assert isinstance(expected, tuple), exc
        where, why = expected
        assert exc.where == where
        assert why in str(exc) or "shorter" in why
        return
    assert not isinstance(expected, tuple), f"unidiff rejects it: {expected}"
    assert [(tuple(f.added), f.removals, f.removed) for f in changes.files] == expected
    # each added line is the named tuple, however it was built (a new file's by `tuple.__new__`)
    assert all(type(a) is AddedLine and a == (a.line, a.text)
               for f in changes.files for a in f.added)


@settings(max_examples=500, deadline=None)
@given(_diffs())
def test_generated_diffs_read_as_unidiff_reads_every_line(text: str) -> None:
    _same_as_unidiff(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(_NOISE, max_size=16).map("".join))
def test_diff_shaped_noise_reads_or_fails_as_unidiff_does(text: str) -> None:
    _same_as_unidiff(text)


def test_a_name_with_a_space_is_read_with_its_lines() -> None:
    text = ("diff --git a/a b.py b/a b.py\n--- a/a b.py\n+++ b/a b.py\n@@ -1,2 +1,2 @@\n"
            " keep\n-old\n+new\n")
    changes = parse_diff(text)
    assert changes.paths == ("a b.py",)
    assert changes.files[0].added == ((2, "new"),) and changes.files[0].removals == (1,)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="a+\n\r\x0b\x0c\x1c\x85\u2028 ", max_size=40))
def test_a_diffs_lines_end_at_newlines_only(text: str) -> None:
    parts = text.split("\n")
    assert Lines(text).all == [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
