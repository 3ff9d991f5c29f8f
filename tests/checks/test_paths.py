"""A tool's file name read as a repository path: the quick reading of a name under the
root gives what reading it through `Path` gives, whatever the name holds."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.paths import repo_path
from reviewloop.git.names import shown

_NAMES = st.lists(st.sampled_from(["a", "b.py", ".", "..", "", ".x", "é", "a b", "\\xff"]),
                  min_size=1, max_size=4).map("/".join)


def _by_path(root: Path, filename: str) -> str:
    """The reading through `Path` (relative to the root when the name is under it, as
    given or once resolved)."""
    path = Path(filename)
    if path.is_absolute():
        try:
            path = path.relative_to(root)
        except ValueError:
            try:
                path = path.resolve().relative_to(root.resolve())
            except ValueError:
                return shown(PurePosixPath(filename).as_posix())
    return shown(PurePosixPath(path.as_posix().removeprefix("./")).as_posix())


@given(name=_NAMES, root=st.sampled_from(["/repo", "/", "/repo/sub", "rel"]),
       slash=st.sampled_from(["/", "//", "/./"]))
def test_a_name_under_the_root_reads_as_through_path(name: str, root: str, slash: str) -> None:
    """bandit and ruff name 5,000 files each; each is read without making Paths."""
    filename = root.rstrip("/") + slash + name
    assert repo_path(Path(root), filename) == _by_path(Path(root), filename)
    assert repo_path(Path(root), name) == _by_path(Path(root), name)
