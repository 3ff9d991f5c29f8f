"""A run id given on the command line is bytes: one that is not UTF-8 arrives surrogate-escaped
and is no run (exit 2, `no run '…'` with the id shown escaped), in `approve`, `reject`,
`resume`, `report` and `clean` alike, never an internal error. Generated: byte strings, UTF-8
or not, decoded as Python decodes argv, asked of a real registry holding one run. The five
commands run as real processes against one repository with a run waiting for approval: each
bad id reaches one of them at least through a cold interpreter's own argv decoding (the
bytes as given; every command so with one id), the others through the suite's warm CLI
(`tests/support/warm_cli.py`) as Python decodes them."""

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
from tests.support import warm_cli
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


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with a run waiting for approval: a bad id changes nothing in it."""
    root = waiting_repo(tmp_path_factory.mktemp("run-ids") / "repo")
    start_waiting(root, "T1")
    return root


COMMANDS = ("approve", "reject", "resume", "report", "clean")
RAWS = [b"run-\xff", b"\xc3(", b"T1-\xed\xa0\x80", b"a\x01b"]


@pytest.mark.parametrize("raw", RAWS,
                         ids=["lone-ff", "bad-utf8-pair", "encoded-surrogate", "control"])
def test_every_command_answers_a_bad_run_id_with_exit_2(waiting: Path, raw: bytes) -> None:
    shown = repr(os.fsdecode(raw))
    # every command through a cold start with one of the ids, every id with one command at least
    cold = COMMANDS[RAWS.index(raw)::len(RAWS)]
    for command in COMMANDS:
        if command in cold:
            done = subprocess.run([sys.executable, "-m", "reviewloop", command, raw],
                                  cwd=waiting, capture_output=True, stdin=subprocess.DEVNULL,
                                  timeout=120)
            code, said = done.returncode, done.stderr.decode("utf-8", "backslashreplace")
        else:
            warm = warm_cli.run([command, os.fsdecode(raw)], waiting, timeout=120)
            code, said = warm.returncode, warm.stderr
        assert code == 2, (command, said)
        assert f"no run {shown}" in said, (command, said)
        assert "internal error" not in said and "Traceback" not in said, (command, said)
