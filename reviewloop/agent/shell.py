"""The agents' command tool: `run_command` runs what the command policy lets through.

Commands run in the workspace root with a scrubbed environment and are killed as a process
group when they run too long (`reviewloop.process`). The policy (`reviewloop.policy.commands`)
keeps an agent from destroying things by accident; it is not a sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewloop import process
from reviewloop.agent.workspace import ToolRefused, Workspace
from reviewloop.policy.commands import CommandPolicy
from reviewloop.process import scrubbed_env

OUTPUT_TAIL_CHARS = 8000

@dataclass(frozen=True)
class CommandResult:
    exit_code: int | None  # None when the command was killed for running too long
    output_tail: str
    timed_out: bool


def run_command(
    ws: Workspace, policy: CommandPolicy, command: str, *, timeout: float = 300,
    tail_chars: int = OUTPUT_TAIL_CHARS,
) -> CommandResult:
    """Run `command` in the repository root after the policy allows it, else ToolRefused.

    The policy keeps an agent from destroying things by accident; it is not a sandbox
    (an allowed `python -m …` can still read any file the user can).
    """
    reason = policy.check(command)
    if reason:
        raise ToolRefused(reason)
    run = process.run(command, ws.root, timeout, scrubbed_env())
    text = run.output
    if len(text) > tail_chars:
        text = f"[… {len(text) - tail_chars} earlier characters cut …]\n" + text[-tail_chars:]
    return CommandResult(None if run.timed_out else run.exit_code, text, run.timed_out)

