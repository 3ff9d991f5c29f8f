"""repo_writes: a file of the repository replaced whole (never half-written, its mode kept),
any path that is not a plain path inside the root refused before anything is written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.errors import ExitCode
from reviewloop.git import repo_writes
from reviewloop.git.nofollow import UnsafePath

_NAMES = st.text(st.characters(whitelist_categories=("Ll", "Nd")), min_size=1, max_size=8)


@given(parts=st.lists(_NAMES, min_size=1, max_size=4), first=st.binary(max_size=64),
       second=st.binary(max_size=64))
def test_a_write_replaces_the_whole_file_and_leaves_no_temporary_beside_it(
        tmp_path_factory: pytest.TempPathFactory, parts: list[str], first: bytes,
        second: bytes) -> None:
    root = tmp_path_factory.mktemp("repo")
    rel = "/".join(parts)
    if len(set(parts)) < len(parts):
        return  # a name both a folder and the file: not a path one write makes
    assert repo_writes.write(root, rel, first).read_bytes() == first
    assert repo_writes.write(root, rel, second).read_bytes() == second
    assert sorted(p.name for p in (root / rel).parent.iterdir()) == [parts[-1]]


def test_an_existing_files_mode_is_kept(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("old\n")
    os.chmod(tmp_path / "run.sh", 0o750)
    repo_writes.write(tmp_path, "run.sh", "new\n")
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o750


@pytest.mark.parametrize("path", ["../x", "a/../../x", "", ".", "/etc/x"])
def test_a_path_outside_the_root_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePath) as refused:
        repo_writes.write(tmp_path / "repo", path, "x")
    assert refused.value.exit_code == ExitCode.USAGE
    assert "not a path inside the repository" in str(refused.value)
    assert not (tmp_path / "x").exists()
