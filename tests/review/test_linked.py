"""`review.linked`: the symlinks of a tree followed to the changed file they end at, as
`checkov -d .` and `bandit -r .` follow them; a link that ends nowhere in the tree, or in
`.git`, and the files under a linked folder, lead to no changed file."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from reviewloop.review.linked import last_target, linked_names

# where a link `a/x.py` points, and the path it ends at (None: nowhere in the tree)
ENDS = {
    "../t/f.txt": "t/f.txt",
    "../t/mid": "t/f.txt",  # a chain
    "../t/up": "t/f.txt",  # a chain through a linked folder
    "../../outside.txt": None,
    "/etc/hostname": None,
    "../t/none.txt": None,  # dangling
    "../t/loop": None,
    "../.git/HEAD": None,
    "../t": "t",  # a folder: no file
}


def _tree(root: Path, link: str) -> None:
    (root / "t" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: x\n")
    (root / "t" / "f.txt").write_text("x\n")
    (root.parent / "outside.txt").write_text("x\n")
    os.symlink("f.txt", root / "t" / "mid")
    os.symlink("deep/../f.txt", root / "t" / "up")
    os.symlink("loop", root / "t" / "loop")
    os.symlink("t", root / "linked")  # a folder link: nothing under it is walked
    (root / "a").mkdir()
    os.symlink(link, root / "a" / "x.py")


@pytest.mark.parametrize(("link", "written"), list(itertools.product(ENDS, (False, True))))
def test_a_link_leads_to_the_changed_file_its_chain_ends_at(
        tmp_path: Path, link: str, written: bool) -> None:
    root = tmp_path / "r"
    _tree(root, link)
    end = ENDS[link]
    assert last_target(root, "a/x.py") == end
    found = linked_names(root, {"t/f.txt", "t/mid"}, {"a/x.py"} if written else set())
    expected = [*(["a/x.py"] if end == "t/f.txt" and not written else []), "t/mid", "t/up"]
    assert found == {"t/f.txt": expected}
    assert linked_names(root, set(), set()) == {}
