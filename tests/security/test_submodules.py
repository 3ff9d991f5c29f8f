"""A change that adds a submodule or moves one to another commit brings in code none of
its diff shows: the review said complete (or blamed the path on "not in the reviewed
tree"). Now the submodule is named as not reviewed, with its new commit, and the review is
incomplete; in every mode. Generated: added or moved x head / staged / working tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import MODES, reviewed_in

PAYLOAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FILE_URLS = ("-c", "protocol.file.allow=always")  # a submodule from a local path


def _library(tmp_path: Path) -> Path:
    lib = init_repo(tmp_path / "lib", {"a.py": "A = 1\n"})
    (lib / "b.py").write_text(PAYLOAD)
    git(lib, "add", "-A")
    git(lib, "commit", "-qm", "payload")
    return lib


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("how", ["added", "moved"])
def test_a_submodule_the_change_moves_is_named_not_reviewed(tmp_path: Path, how: str,
                                                            mode: str) -> None:
    lib = _library(tmp_path)
    first, last = git(lib, "rev-list", "--reverse", "HEAD").split()
    root = init_repo(tmp_path / "top", {"README.md": "x\n"})
    if how == "moved":
        git(root, *FILE_URLS, "submodule", "add", "-q", str(lib), "vendor/lib")
        git(root / "vendor" / "lib", "checkout", "-q", first)
        git(root, "add", "-A")
        git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    if how == "added":
        git(root, *FILE_URLS, "submodule", "add", "-q", str(lib), "vendor/lib")
    git(root / "vendor" / "lib", "checkout", "-q", last)
    report = reviewed_in(root, mode)
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert any(f"a submodule, now at commit {last[:12]}" in why
               for why in rows["vendor/lib"]["not_read"]), rows
    assert report["health"]["complete"] is False
