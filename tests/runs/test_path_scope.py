"""`review PATH…` scoping (runs/path_scope.py), by generator: every changed file is either in
the limited diff (under a path given, by its new or its old name) or named as out of scope,
never both and never neither."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.diff import parse_diff
from reviewloop.runs.path_scope import limit, under

_PART = st.sampled_from(["src", "src2", "tests", "a", "a.py", "s rc", "ü"])
_PATH = st.lists(_PART, min_size=1, max_size=3).map("/".join)


def _diff(paths: list[str], renamed_from: dict[str, str]) -> str:
    out = []
    for path in paths:
        old = renamed_from.get(path)
        if old is not None:
            out.append(f"diff --git a/{old} b/{path}\nsimilarity index 90%\nrename from {old}\n"
                       f"rename to {path}\n--- a/{old}\n+++ b/{path}\n@@ -1 +1 @@\n-x\n+y\n")
        else:
            out.append(f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
                       "@@ -1 +1 @@\n-x\n+y\n")
    return "".join(out)


@given(st.lists(_PATH, min_size=1, max_size=6, unique=True),
       st.lists(st.sampled_from(["", "src", "src/", "a", "tests/a.py", "s rc"]), min_size=1,
                max_size=3),
       st.data())
def test_every_changed_file_is_kept_or_named_out_of_scope(paths: list[str], roots: list[str],
                                                         data: st.DataObject) -> None:
    renamed = {p: data.draw(_PATH) for p in paths if data.draw(st.booleans())}
    renamed = {new: old for new, old in renamed.items() if old not in paths}
    text, outside = limit(_diff(paths, renamed), roots)
    kept = parse_diff(text).paths if text else ()
    named = [line.split(": out of scope (not under ", 1)[0] for line in outside]
    assert sorted([*kept, *named]) == sorted(paths)
    for path in kept:
        assert under(path, roots) or under(renamed.get(path, path), roots)
    for path in named:
        assert not under(path, roots) and not under(renamed.get(path, path), roots)


def test_under_is_by_whole_folder_names() -> None:
    assert under("src/a.py", ["src"]) and under("src/a.py", ["src/"])
    assert not under("src2/a.py", ["src"]) and not under("src", ["src/a.py"])
    assert under("anything", [""]) and under("a.py", ["a.py"])
    assert limit("diff", []) == ("diff", [])


def test_a_file_outside_is_not_kept_for_sharing_a_name_with_one_inside() -> None:
    """`src/x -> lib/x` is in scope by its old name; `lib/x -> lib/y` is not, though its old
    name is the first one's new name: it is named out of scope and not reviewed."""
    diff = ("diff --git a/src/x b/lib/x\nsimilarity index 100%\nrename from src/x\n"
            "rename to lib/x\n"
            "diff --git a/lib/x b/lib/y\nsimilarity index 100%\nrename from lib/x\n"
            "rename to lib/y\n")
    kept, outside = limit(diff, ["src"])
    assert [f.path for f in parse_diff(kept).files] == ["lib/x"]
    assert outside == ["lib/y: out of scope (not under src)"]
