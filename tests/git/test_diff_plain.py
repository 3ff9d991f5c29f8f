"""reviewloop.git.diff_plain: git's plain diff output read in one pass gives exactly the
ChangeSet the general reader (unidiff) gives — every field, on generated diffs around the
plain shape's edges (names with spaces or quotes, renames, mode changes, binary and empty
files, miscounted hunks, blank lines, CR, no-newline markers, a missing last newline) and
on real `git diff` output, each file built as `model_construct` builds one; what the
general reader rejects, the plain reader leaves to it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviewloop.errors import UserInputError
from reviewloop.git.diff import ChangeSet, parse_diff, read_in_general
from reviewloop.git.diff_plain import plain_files
from reviewloop.git.hunk_lines import Lines
from tests.support.gitutil import git
from tests.support.hunk_bodies import hunk_body
from tests.support.repos import init_repo, write_files

_NAMES = ["x.py", "d/y.py", "é.py", "b/a.py", "-n", "a/b"] * 3 + ["a b.py", '"q\\"x"', "x\ty"]
_BODY = ["+", "-", " ", "\\", "blank", "cr", "+@@ -1 +1 @@", "-diff --git a/x b/x"]
_BETWEEN = [""] * 8 + ["\n", "junk\n", "\\ No newline at end of file\n",
            "+extra\n", "@@ -1 +1 @@\n", "@@ -0,0 +0,0 @@\n"]


@st.composite
def _hunk(draw: st.DrawFn, start: int, kind: str) -> tuple[list[str], int]:
    kinds = ["+"] if kind == "added" else ["-"] if kind == "deleted" else _BODY
    body, old, new = hunk_body(draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=6)))
    off_old, off_new = draw(st.sampled_from([(0, 0)] * 20 + [(1, 0), (0, -1), (0, 1)]))
    old_start = 0 if kind == "added" else start
    header = f"@@ -{old_start},{old + off_old} +{0 if kind == 'deleted' else start}," \
             f"{new + off_new} @@{draw(st.sampled_from(['', ' def f():']))}\n"
    return [header, *body], start + new + 3


@st.composite
def _file(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_NAMES))
    other = draw(st.sampled_from([name] * 6 + ["z.py"]))
    kind = draw(st.sampled_from(["modified", "added", "deleted", "binary", "empty", "mode"]))
    out = [f"diff --git a/{name} b/{other}\n"]
    if name != other:
        out += ["similarity index 90%\n", f"rename from {name}\n", f"rename to {other}\n"]
    out += {"added": ["new file mode 100644\n"], "deleted": ["deleted file mode 100644\n"],
            "empty": ["new file mode 100644\n"],
            "mode": ["old mode 100644\n", "new mode 100755\n"]}.get(kind, [])
    if draw(st.booleans()):
        out.append("index 1234567..89abcde" + (" 100644\n" if kind == "modified" else "\n"))
    if kind == "empty":
        return "".join(out)
    if kind == "binary":
        return "".join([*out, f"Binary files a/{name} and b/{other} differ\n"])
    out.append("--- /dev/null\n" if kind == "added" else f"--- a/{name}\n")
    out.append("+++ /dev/null\n" if kind == "deleted" else f"+++ b/{other}\n")
    start = 1
    for _ in range(draw(st.integers(1, 3))):
        lines, start = draw(_hunk(start, kind))
        out += lines
        out.append(draw(st.sampled_from(_BETWEEN)))
    return "".join(out)


_DIFFS = st.lists(_file(), min_size=1, max_size=4).map("".join).flatmap(
    lambda text: st.sampled_from([text, text, text, text.rstrip("\n"), "preamble\n" + text]))


def _same(text: str) -> bool:
    """Whether the plain reader took the diff; asserts it then read what the general one
    reads, and that it took nothing the general reader rejects."""
    plain = plain_files(Lines(text).all)
    try:
        general = read_in_general(text, "fuzz")
    except UserInputError:
        assert plain is None
        return False
    if plain is None:
        return False
    read = parse_diff(text, "fuzz").files
    assert ChangeSet(source="fuzz", files=read) == general
    for mine, theirs in zip(read, general.files, strict=True):  # built as `model_construct`
        assert (list(vars(mine).items()), mine.model_fields_set, mine.__pydantic_extra__,
                mine.__pydantic_private__, mine.model_dump()) == (
            list(vars(theirs).items()), theirs.model_fields_set, theirs.__pydantic_extra__,
            theirs.__pydantic_private__, theirs.model_dump())
    assert [(f.path, f.old_path, f.status.value, f.binary, f.added, f.removals, f.removed,
             f.hunks, f.text) for f in general.files] == [tuple(f) for f in plain]
    return True


@settings(max_examples=800, deadline=None)
@given(_DIFFS)
@example("diff --git a/x b/x\nnew file mode 100644\nindex 0000000..e69de29\n")
@example("diff --git a/x b/x\ndeleted file mode 100644\n--- a/x\n+++ /dev/null\n"
         "@@ -1,2 +0,0 @@\n-a\n-b\n\\ No newline at end of file\n")
@example("diff --git a/p.png b/p.png\nindex 1..2 100644\nBinary files a/p.png and "
         "b/p.png differ\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
@example("diff --git a/x b/x\n--- a/x\n+++ b/x\n\\ No newline at end of file\n"
         "@@ -1 +1 @@\n-a\n+b\n")
@example("diff --git a/x b/x\nindex 1..2 100644\nBinary files a/x and b/x differ\n"
         "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
@example("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n"
         "diff --git a/y b/y\nindex 1..2 100644\n")
@example("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +0,0 @@\n\\ marker\n"
         "@@ -1,0 +1,0 @@\n\n")
def test_plain_reader_reads_what_the_general_reader_reads(text: str) -> None:
    _same(text)


def test_plain_shapes_are_taken_by_the_plain_reader() -> None:
    """The shapes it is for are read by it (not all left to the general reader)."""
    texts = [
        "diff --git a/x.py b/x.py\nindex 1..2 100644\n--- a/x.py\n+++ b/x.py\n"
        "@@ -1,3 +1,3 @@ def f():\n a\n-b\n+c\n\n\\ No newline at end of file\n",
        "diff --git a/n.py b/n.py\nnew file mode 100644\nindex 0000000..1\n--- /dev/null\n"
        "+++ b/n.py\n@@ -0,0 +1,2 @@\n+one\n+two\r\n",
        "diff --git a/e b/e\nnew file mode 100644\nindex 0000000..e69de29\n"
        "diff --git a/p.png b/p.png\nnew file mode 100644\nindex 0000000..1\n"
        "Binary files /dev/null and b/p.png differ\n",
    ]
    assert all(_same(text) for text in texts)


def test_real_git_output_is_read_alike(tmp_path: Path) -> None:
    """A change git writes (modified, added, deleted, empty, binary, no final newline, a
    rename) is read alike by both readers; without the rename the plain one reads it."""
    root = init_repo(tmp_path / "r", {"keep.py": "".join(f"v{i} = {i}\n" for i in range(30)),
                                      "gone.py": "x = 1\ny = 2\n",
                                      "moved.py": "".join(f"m{i}\n" for i in range(20))})
    write_files(root, {"keep.py": "".join(f"v{i} = {i * (i % 7 != 3)}\n" for i in range(32)),
                       "new.py": "import os\nprint(os.sep)", "empty.txt": "",
                       "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x01"})
    (root / "gone.py").unlink()
    git(root, "mv", "moved.py", "renamed.py")
    git(root, "add", "-A")
    for renames in ("--no-renames", "--find-renames"):
        text = subprocess.run(["git", "diff", "--cached", "--no-color", renames], cwd=root,
                              capture_output=True, text=True, check=True).stdout
        assert _same(text) is (renames == "--no-renames")
