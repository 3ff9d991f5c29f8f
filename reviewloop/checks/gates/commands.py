"""Running gate commands: a shell, a timeout that kills the whole process group, a scrubbed env."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from reviewloop.agent.shell import scrubbed_env

_KILL_GRACE_S = 5.0


class CommandRun(NamedTuple):
    """How one shell command ended; `output` is stdout and stderr interleaved."""

    exit_code: int
    output: str
    timed_out: bool
    duration: float


class CommandOutcome(NamedTuple):
    command: str
    run: CommandRun


def scrubbed_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """`environ` without secret-looking variables, with CI set so runners never wait on a TTY."""
    # Gate commands run code the implementer just wrote: not even a path to a key reaches it.
    env = scrubbed_env(environ, keep_paths=False)
    # react-scripts, vitest and friends enter watch mode unless they see CI.
    env.setdefault("CI", "true")
    return env


def run_shell(command: str, cwd: Path, timeout: float,
              environ: Mapping[str, str] | None = None) -> CommandRun:
    """Run `command` through the shell in `cwd`; never raises for a failing command."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, shell=True, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=scrubbed_environment(environ),
        start_new_session=True)  # its own process group, so a timeout reaches grandchildren
    try:
        raw, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            raw, _ = process.communicate(timeout=_KILL_GRACE_S)
        except subprocess.TimeoutExpired:  # a child escaped the group and holds the pipe
            process.kill()
            raw = b""
        timed_out = True
    output = raw.decode("utf-8", errors="replace")
    return CommandRun(process.returncode, output, timed_out, time.monotonic() - started)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_commands(commands: Sequence[str], cwd: Path, timeout: float, *,
                 stop_on_failure: bool) -> list[CommandOutcome]:
    """Run each command in turn; with `stop_on_failure`, stop after the first that fails."""
    outcomes = []
    for command in commands:
        run = run_shell(command, cwd, timeout)
        outcomes.append(CommandOutcome(command, run))
        if stop_on_failure and (run.exit_code != 0 or run.timed_out):
            break
    return outcomes


def transcript(outcomes: Sequence[CommandOutcome]) -> str:
    """The outputs as a terminal would show them: `$ command`, output, and how it ended."""
    parts = []
    for command, run in outcomes:
        ending = (f"[timed out after {run.duration:.0f}s and was killed]" if run.timed_out
                  else f"[exit {run.exit_code}]")
        body = run.output if run.output.endswith("\n") or not run.output else run.output + "\n"
        parts.append(f"$ {command}\n{body}{ending}\n")
    return "".join(parts)
