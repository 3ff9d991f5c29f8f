"""The command line run in the test's own process: its exit code and what it printed."""

from __future__ import annotations

import pytest

from reviewloop.cli.app import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`reviewloop ARGV`: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err
