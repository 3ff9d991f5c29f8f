"""`git.left_out`: the files a worktree holds that git leaves out of any commit of it (under
a submodule's path, or ignored), against plain git's own view: after the files are written,
`git add -A` takes what it takes; every other file written (build and test artifacts aside)
is named, with its reason, and nothing git takes is."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.changes import is_artifact
from reviewloop.git.left_out import left_out, written
from reviewloop.git.repository import open_repository
from tests.support.repos import init_repo

IGNORES = "build/\n*.local.py\n.env\n!keep.local.py\n"
SUBMODULE = "vendor/lib"
# folders a file may be written in, and names: plain, ignored, negated, an artifact
FOLDERS = ("", "src/", "build/", "vendor/", f"{SUBMODULE}/", f"{SUBMODULE}/pkg/", "src/build/")
NAMES = ("a.py", "settings.local.py", "keep.local.py", ".env", "x.pyc", "notes.txt")


def _repo(root: Path) -> Path:
    init_repo(root, {".gitignore": IGNORES, "src/app.py": "A = 1\n", "build/old.txt": "x\n"},
              message="base")
    git = ["git", "-C", str(root)]
    blob = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    # a submodule as a run's worktree holds it: its gitlink, its folder empty
    subprocess.run([*git, "update-index", "--add", "--cacheinfo",
                    f"160000,{blob},{SUBMODULE}"], check=True)
    subprocess.run([*git, "commit", "-qm", "submodule"], check=True)
    (root / SUBMODULE).mkdir(parents=True)
    return root


def _taken_by_git(root: Path) -> set[str]:
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, capture_output=True)
    out = subprocess.run(["git", "-C", str(root), "diff", "--cached", "--name-only", "HEAD"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(FOLDERS), st.sampled_from(NAMES)), min_size=1,
                max_size=6, unique=True), st.booleans())
def test_named_files_are_those_git_leaves_out(files: list[tuple[str, str]],
                                              rewrite_old: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _repo(Path(tmp) / "repo")
        repo = open_repository(root)
        before = left_out(repo)
        paths = [folder + name for folder, name in files]
        if rewrite_old:
            paths.append("build/old.txt")  # ignored, there before: changed now
        for path in paths:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(f"{path} written, longer than before\n")
        named = {line.split(": ", 1)[0]: line.split(": ", 1)[1]
                 for line in written(before, left_out(repo))}
        taken = _taken_by_git(root)
        assert set(named) == {p for p in paths if p not in taken and not is_artifact(p)}
        for path, reason in named.items():
            assert ("submodule" in reason) == path.startswith(SUBMODULE + "/"), (path, reason)


def test_files_there_before_and_untouched_are_not_named(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    (root / ".env").write_text("A=1\n")
    (root / SUBMODULE / "util.py").write_text("x = 1\n")
    repo = open_repository(root)
    before = left_out(repo)
    assert set(before) == {".env", "build/old.txt", f"{SUBMODULE}/util.py"}
    os.utime(root / "src" / "app.py")
    assert written(before, left_out(repo)) == []
