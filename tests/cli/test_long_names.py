"""A path given on the command line with a name longer than the file system allows (f_a
D5): bad input, exit 2 naming it, never a crash's exit 3. Names are generated of one- to
four-byte characters, 1 to 700 bytes, alone or under a folder that exists; the oracle is the
name's length in bytes against NAME_MAX."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.errors import NAME_BYTES
from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

names = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "ह", "😀"]),
                  st.integers(1, 700)).filter(lambda n: n.strip("."))


# capsys is read out after every command (run_cli): examples never see each other's words
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, under=st.sampled_from(["", "docs/"]), via=st.sampled_from(["flag", "toml"]))
def test_a_name_too_long_is_exit_2_naming_it(capsys, name, under, via):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(folder) / "repo", {"docs/readme.md": "x\n"}).resolve()
        patch.chdir(root)
        if via == "toml":
            (root / ".reviewloop.toml").write_text(f'spec = "{under}{name}"\n',
                                                   encoding="utf-8")
        code, _, err = run_cli(capsys, "tasks", *(["--spec", f"{under}{name}"]
                                                  if via == "flag" else []))
    said = " ".join(err.split())
    assert code == 2 and "internal error" not in said, err
    too_long = len(name.encode()) > NAME_BYTES
    assert ("longer than the file system allows" in said) is too_long, err
    assert ("no such file or folder" in said) is not too_long, err
