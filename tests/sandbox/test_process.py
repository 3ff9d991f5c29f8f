"""The commands a run starts in the project (guard-rails, an agent's shell)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import run


def test_a_same_size_edit_in_the_same_second_is_run_as_edited(tmp_path: Path) -> None:
    """A fix that keeps the file's size, written within the second of the test run before
    it, is what the next run imports: no bytecode cached by the first run stands for it."""
    source = tmp_path / "calc.py"
    source.write_text("def add(a, b):\n    return a - b\n")
    command = f"{sys.executable} -c 'import calc; print(calc.add(2, 1))'"
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    first = run(command, tmp_path, 60, sandbox=Sandbox(mode="off"), environ=environ)
    assert first.output.strip() == "1", first.output
    stamp = source.stat()
    source.write_text("def add(a, b):\n    return a + b\n")  # the same size
    os.utime(source, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same second
    second = run(command, tmp_path, 60, sandbox=Sandbox(mode="off"), environ=environ)
    assert second.output.strip() == "3", second.output
