"""A real terminal for a command, without tmux: a pseudo-terminal (pexpect) whose output
feeds a terminal emulator (pyte), so a test reads the screen a user would see — cursor
moves, redraws and scrollback applied — and waits for a state by reading the command's
output as it comes, never by sleeping."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pexpect
import pyte

_HANG_GUARD_S = 120.0  # only against a hung command: every wait ends on output


class Terminal:
    """One command on a `rows` x `cols` pseudo-terminal; `screen()` is what it shows."""

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path,
                 rows: int = 50, cols: int = 150):
        self.cols = cols
        self._screen = pyte.HistoryScreen(cols, rows, history=10_000)
        self._stream = pyte.ByteStream(self._screen)
        self._child = pexpect.spawn(argv[0], list(argv[1:]), env=dict(env), cwd=str(cwd),
                                    dimensions=(rows, cols))
        self.exit_status: int | None = None

    def screen(self) -> str:
        """The scrollback and the visible screen, one line per row, trailing blanks cut."""
        history = ["".join(row[x].data for x in range(self.cols)).rstrip()
                   for row in self._screen.history.top]
        return "\n".join([*history, *(line.rstrip() for line in self._screen.display)])

    def wait_for(self, condition: Callable[[str], bool]) -> str:
        """Read output until `condition(screen)` holds; fail if the command ends first."""
        while not condition(text := self.screen()):
            if self.exit_status is not None:
                raise AssertionError(f"the command ended without showing the expected "
                                     f"state (exit {self.exit_status}):\n{text}")
            self._read()
        return text

    def wait_exit(self) -> int:
        """Read everything the command prints until it exits; its exit status."""
        while self.exit_status is None:
            self._read()
        return self.exit_status

    def _read(self) -> None:
        try:
            self._stream.feed(self._child.read_nonblocking(65536, timeout=_HANG_GUARD_S))
        except pexpect.EOF:
            self._child.wait()
            self.exit_status = self._child.exitstatus if self._child.exitstatus is not None \
                else 128 + (self._child.signalstatus or 0)
        except pexpect.TIMEOUT as exc:
            raise AssertionError(f"no output for {_HANG_GUARD_S:.0f}s:\n{self.screen()}") \
                from exc

    def close(self) -> None:
        if self._child.isalive():
            self._child.terminate(force=True)
