"""`git.deep_folders`: folders made and removed however deep, in a loop. A changed file
~1,000 folders deep (a 2 KB path git checks out) made `os.makedirs` and `shutil.rmtree`
recurse past Python's limit: every review mode crashed with RecursionError and the export
was left behind. Generated over depths past the recursion limit, part names and what the
tree holds (files, links, a read-only folder)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.deep_folders import make_folders, remove_tree
from reviewloop.review.readable import Readability

DEEP = sys.getrecursionlimit() + 200  # deeper than any recursion a level could go


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.sampled_from((1, 3, DEEP)), part=st.sampled_from(("d", "x1")),
       link=st.booleans(), locked=st.booleans())
def test_a_tree_of_any_depth_is_made_read_and_removed(
        tmp_path_factory: pytest.TempPathFactory, depth: int, part: str, link: bool,
        locked: bool) -> None:
    top = tmp_path_factory.mktemp("deep")
    rel = "/".join([part] * depth)
    make_folders(os.path.join(top, rel))
    make_folders(os.path.join(top, rel))  # already there: no error
    (top / rel / "m.py").write_text("import os\n")
    if link:
        kept = tmp_path_factory.mktemp("kept")
        (kept / "k").write_text("x\n")
        os.symlink(kept, top / rel / "out")  # removed as a link, never followed
    readable = Readability.of(top)
    assert readable.check(f"{rel}/m.py")[0]
    assert readable.language(f"{rel}/m.py") == "python"
    if locked:
        os.chmod(top / rel, 0o555)
    remove_tree(str(top))
    assert not top.exists()
    remove_tree(str(top))  # gone already: no error
    if link:
        assert (kept / "k").read_text() == "x\n"


def test_make_folders_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x\n")
    for path in (tmp_path / "f", tmp_path / "f" / "g"):
        with pytest.raises(OSError):
            make_folders(str(path))
    assert (tmp_path / "f").read_text() == "x\n"
