"""`review.linked`: the symlinks of a tree followed to the changed file they end at, as
`checkov -d .` and `bandit -r .` follow them; a link that ends nowhere in the tree, or in
`.git`, lead to no changed file; a link to a folder names each changed file under it
anew (`.husky -> tools/hooks`), on disk or as an export's left-out link."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    os.symlink("t", root / "linked")  # a folder link: not walked, its files named through it
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
    through = "" if written or end != "t" else "a/x.py/"  # `a/x.py -> ../t`: a folder link
    expected = sorted([*(["a/x.py"] if end == "t/f.txt" and not written else []),
                       "linked/f.txt", "t/mid", "t/up", *([f"{through}f.txt"] * bool(through))])
    assert found == {"t/f.txt": expected,
                     "t/mid": sorted(["linked/mid", *([f"{through}mid"] * bool(through))])}
    assert linked_names(root, set(), set()) == {}


# a folder link's place, and where it points from there to the real folder `real/<n>`
LINK_PLACES = st.sampled_from((".husky", "etc/bash_completion.d", "web/.husky", "scripts",
                               "a/b/c/hooks"))
_names = st.text(alphabet="abcdefghij-_", min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=LINK_PLACES, inner=st.lists(_names, min_size=1, max_size=3, unique=True),
       sub=st.sampled_from(("", "deep/", "x/y/")), on_disk=st.booleans())
def test_a_folder_link_names_every_changed_file_under_it(
        tmp_path_factory: pytest.TempPathFactory, place: str, inner: list[str], sub: str,
        on_disk: bool) -> None:
    """Whatever the link's place and depth, and whether it is on disk (a working tree) or
    given as an export's left-out link (path → text), each changed file under the folder
    is named `<link>/<rest>`; a file beside the folder, and a written link, name nothing."""
    root = tmp_path_factory.mktemp("r")
    changed = {f"real/{sub}{name}" for name in inner} | {"realm/other", "elsewhere/f"}
    for path in changed:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x\n")
    text = os.path.relpath("real", os.path.dirname(place) or ".")
    left_out = {}
    if on_disk:
        (root / place).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(text, root / place)
    else:
        left_out = {place: text}
    found = linked_names(root, changed, set(), left_out)
    assert found == {f"real/{sub}{name}": [f"{place}/{sub}{name}"] for name in inner}
    assert linked_names(root, changed, {place}, left_out) == {}
