"""Running the project's own commands (builds, tests), sandboxed, and their transcript.

Everything here executes project code, so it always goes through `reviewloop.sandbox.process.run`
with the sandbox the settings ask for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from reviewloop.checks.gates.node import node_dependencies
from reviewloop.config import Settings
from reviewloop.memo import compiled_on_first_use
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import CommandRun

NOT_FOUND = 127  # the shell's exit code for a command it cannot find
NOT_FOUND_SUMMARY = "command not found"
# `sh: 1: go: not found`, `bash: go: command not found`, `bash: line 1: go: command not found`
_MISSING = compiled_on_first_use(r"^(?:\S*sh|env)(?:: line \d+| ?\d*)?: (?:\d+: )?['‘]?"
                                 r"([^:'’\n]+)['’]?: (?:command )?not found", re.M)


class CommandOutcome(NamedTuple):
    command: str
    run: CommandRun


@dataclass(frozen=True)
class ProjectTests:
    """Leave to run the project's tests, and how: the command (None: detect one from the
    project's files), the sandbox and the time limit."""

    command: str | None = None
    sandbox: Sandbox = field(default_factory=Sandbox)
    timeout: float = 900
    threshold: float | None = None  # gates.coverage_threshold: of the changed lines
    # the commit a working change is reviewed against (`review --base`), where a failing
    # test is run again to tell a broken test from a test the change broke; None: HEAD
    base: str | None = None


def project_tests(settings: Settings) -> ProjectTests | None:
    """The tests as the settings configure them: the first `gates.test` command when set,
    detection when unset, None when `gates.test = []` turns them off."""
    configured = settings.gates.test
    if configured is not None and not configured:
        return None
    return ProjectTests(command=configured[0] if configured else None,
                        sandbox=Sandbox.from_settings(settings),
                        timeout=settings.gates.timeout_seconds,
                        threshold=settings.gates.coverage_threshold)


def run_shell(command: str, cwd: Path, timeout: float, *, sandbox: Sandbox,
              writable: Iterable[Path] = (),
              environ: Mapping[str, str] | None = None) -> CommandRun:
    """Run project code (a gate or analyzer command) in `cwd`, sandboxed with `cwd` and
    `writable` writable; never raises for a failing command. A Node package sees the
    `node_modules` folders above it read-only (a run's worktree has none of its own)."""
    borrowed = node_dependencies(cwd)
    if borrowed and not sandbox.off:
        sandbox = replace(sandbox, read=(*sandbox.read, *borrowed))
    return process.run(command, cwd, timeout, sandbox=sandbox, writable=writable,
                       environ=environ)


def run_commands(commands: Sequence[str], cwd: Path, timeout: float, *, sandbox: Sandbox,
                 stop_on_failure: bool) -> list[CommandOutcome]:
    """Run each command in turn; with `stop_on_failure`, stop after the first that fails."""
    outcomes = []
    for command in commands:
        run = run_shell(command, cwd, timeout, sandbox=sandbox)
        outcomes.append(CommandOutcome(command, run))
        if stop_on_failure and (run.exit_code != 0 or run.timed_out):
            break
    return outcomes


def missing_program(command: str, run: CommandRun) -> str | None:
    """The program the shell could not find when `run` exited 127 (as its error names it,
    else the command's first word); None for any other ending."""
    if run.exit_code != NOT_FOUND or run.timed_out:
        return None
    found = _MISSING().search(run.output)
    return found.group(1).strip() if found else (command.split() or [command])[0]


# asdf: `No version is set for command python` (exit 126); mise: `mise ERROR No version is
# set for shim: python` (exit 1) — a shim that found no version for its tool
_NO_VERSION = compiled_on_first_use(r"No version is set for (command|shim):? ['\"]?([\w.+-]+)")


def shim_without_version(run: CommandRun) -> str | None:
    """What to do when `run` failed in an asdf or mise shim that found no version for its
    tool: the sandbox hides your home, where the global version file is (`~/.tool-versions`,
    `~/.config/mise/config.toml`), while the manager's own folder is shown. None otherwise.
    No change of the code fixes it, so it is a gate's `user_fix`: the run stops for you."""
    found = _NO_VERSION().search(run.output) if run.exit_code != 0 and not run.timed_out \
        else None
    if found is None:
        return None
    tool = found.group(2)
    if found.group(1) == "command":
        manager, file, pin = "asdf", "~/.tool-versions", f"`.tool-versions` (`{tool} <version>`)"
    else:
        manager, file, pin = "mise", "~/.config/mise/config.toml", \
            f"`mise.toml` (`mise use {tool}@<version>` in the project)"
    return (f"the {manager} shim for `{tool}` found no version in the sandbox, which hides "
            f"your home and with it your global {file}: pin the version in the project with "
            f"{pin}, list {file} in `sandbox_read` in .reviewloop.toml, or set the "
            f"gate's command to the tool's own path (`{manager} which {tool}` prints it)")


def exit_summary(command: str, run: CommandRun) -> str:
    """How a failed command ended, in words: exit 127 names the program the shell could not
    find (a tool not installed, which no change of the code fixes) and the fix."""
    program = missing_program(command, run)
    if program is None:
        shim = shim_without_version(run)
        return f"`{command}` exited with {run.exit_code}" + (f": {shim}" if shim else "")
    return (f"`{command}` exited with 127, {NOT_FOUND_SUMMARY}: `{program}` (install it, or "
            "set `[gates]` build/test in .reviewloop.toml to a command that exists here)")


def transcript(outcomes: Sequence[CommandOutcome]) -> str:
    """The outputs as a terminal would show them: `$ command`, output, and how it ended."""
    parts = []
    for command, run in outcomes:
        ending = (f"[timed out after {run.duration:.0f}s and was killed]" if run.timed_out
                  else f"[exit {run.exit_code}]")
        body = run.output if run.output.endswith("\n") or not run.output else run.output + "\n"
        parts.append(f"$ {command}\n{body}{ending}\n")
    return "".join(parts)
