"""A run id given on the command line is bytes: one that is not UTF-8 arrives surrogate-escaped
and is no run (exit 2, `no run '…'` with the id shown escaped), in `approve`, `reject`,
`resume`, `report` and `clean` alike, never an internal error. Generated: byte strings, UTF-8
or not, decoded as Python decodes argv, asked of a real registry holding one run."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, UserInputError
from reviewloop.runs.registry import Registry
from tests.support.repos import init_repo
from tests.support.waiting_runs import start_waiting, waiting_repo

KNOWN = "T1-20260101-000000-abcd"
ARGV_BYTES = st.binary(min_size=1, max_size=12).filter(lambda b: b"\x00" not in b)


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    with tempfile.TemporaryDirectory(prefix="run-ids-") as name:
        root = init_repo(Path(name) / "repo", {"README.md": "x\n"})
        store = Registry(root)
        store.create(KNOWN, task_id="T1", task_title="One", spec="docs/x-spec.md", options={})
        yield store


@settings(max_examples=200, deadline=None, derandomize=True)
@given(raw=ARGV_BYTES)
def test_any_argv_bytes_are_a_run_or_no_run(registry: Registry, raw: bytes) -> None:
    run_id = os.fsdecode(raw)  # what sys.argv holds for these bytes
    if run_id == KNOWN:
        assert registry.get(run_id).task_id == "T1"
        return
    with pytest.raises(UserInputError) as raised:
        registry.get(run_id)
    assert raised.value.exit_code == ExitCode.USAGE
    assert str(raised.value).splitlines()[0].endswith(f"no run {run_id!r}")
    assert KNOWN in (raised.value.fix or "")  # the runs there are, to choose from


@pytest.mark.parametrize("raw", [b"run-\xff", b"\xc3(", b"T1-\xed\xa0\x80", b"a\x01b"],
                         ids=["lone-ff", "bad-utf8-pair", "encoded-surrogate", "control"])
def test_every_command_answers_a_bad_run_id_with_exit_2(tmp_path: Path, raw: bytes) -> None:
    root = waiting_repo(tmp_path / "repo")
    start_waiting(root, "T1")
    shown = repr(os.fsdecode(raw))
    for command in ("approve", "reject", "resume", "report", "clean"):
        done = subprocess.run([sys.executable, "-m", "reviewloop", command, raw], cwd=root,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        said = done.stderr.decode("utf-8", "backslashreplace")
        assert done.returncode == 2, (command, said)
        assert f"no run {shown}" in said, (command, said)
        assert "internal error" not in said and "Traceback" not in said, (command, said)
