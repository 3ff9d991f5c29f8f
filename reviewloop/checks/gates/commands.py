"""Running gate commands one after another, and their transcript for the implementer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from reviewloop import process
from reviewloop.process import CommandRun, project_env


class CommandOutcome(NamedTuple):
    command: str
    run: CommandRun


def run_shell(command: str, cwd: Path, timeout: float,
              environ: Mapping[str, str] | None = None) -> CommandRun:
    """Run project code (a gate or analyzer command) in `cwd`; never raises for a failure."""
    return process.run(command, cwd, timeout, project_env(environ))


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
