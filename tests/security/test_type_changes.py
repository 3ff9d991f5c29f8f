"""A path whose type changes (a symlink made a regular file, or the reverse) is reviewed as
what it now is. git shows a type change as a deletion and an addition of the same path;
the review took the path as "only deleted", so a payload written where a link stood passed
with exit 0 and the review complete. In every mode (two commits, the index, the working
tree) and for every pair of kinds, a file now there has its findings, and a link now there
is named as a link whose target is not read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewloop.git.diff import FileStatus, parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import MODES, reviewed_in

PAYLOAD = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
KINDS = [("link", "file"), ("file", "link"), ("link", "link")]


def _make(root: Path, kind: str, target: str) -> None:
    path = root / "app.py"
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "link":
        os.symlink(target, path)
    else:
        path.write_text(PAYLOAD)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("before", "after"), KINDS)
def test_a_type_change_is_reviewed_as_what_the_path_now_is(
        tmp_path: Path, before: str, after: str, mode: str) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n", "other.txt": "y\n"})
    _make(root, before, "README.md")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "before")
    git(root, "checkout", "-qb", "feature")
    _make(root, after, "other.txt")
    report = reviewed_in(root, mode)
    assert report["files"]["modified"] == ["app.py"], report["files"]
    flagged = {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"}
    if after == "file":
        assert flagged == {"app.py"}, report["verdict"]
    else:
        assert flagged == set()
        assert any(s.startswith("app.py: a symlink") for s in report["skipped"]), report


def test_the_path_git_deleted_and_added_again_is_the_added_file() -> None:
    diff = ("diff --git a/a.py b/a.py\ndeleted file mode 120000\nindex 42061c0..0000000\n"
            "--- a/a.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-README.md\n"
            "\\ No newline at end of file\n"
            "diff --git a/a.py b/a.py\nnew file mode 100644\nindex 0000000..4739bc5\n"
            "--- /dev/null\n+++ b/a.py\n@@ -0,0 +1,2 @@\n+import os\n+os.system(x)\n")
    for text in (diff, diff[diff.index("diff", 1):] + diff[:diff.index("diff", 1)]):
        changes = parse_diff(text)
        found = changes.file("a.py")
        assert found is not None and found.status is FileStatus.ADDED
        assert changes.changed_lines("a.py") == {1, 2}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("depth", [1, 3])
def test_files_in_a_folder_that_took_a_files_place_are_reviewed(
        tmp_path: Path, mode: str, depth: int) -> None:
    """A tracked file replaced by a folder of new files: git lists no untracked file inside
    it against the index that still holds the file, and the working-tree review saw only
    `app.py: not a regular file` (exit 0, complete)."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n", "app.py": "VALUE = 1\n"})
    git(root, "checkout", "-qb", "feature")
    (root / "app.py").unlink()
    inner = root.joinpath("app.py", *(f"d{n}" for n in range(depth - 1)), "mod.py")
    inner.parent.mkdir(parents=True)
    inner.write_text(PAYLOAD)
    report = reviewed_in(root, mode)
    name = inner.relative_to(root).as_posix()
    assert report["files"]["created"] == [name], report["files"]
    assert {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"} == {
        name}, report["verdict"]
