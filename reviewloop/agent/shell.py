"""The agents' command tool: `run_command` runs what the command policy lets through, sandboxed.

The policy (`reviewloop.policy.commands`) is the first filter: denied commands, options that
run another program, paths outside the worktree. Whatever it allows runs inside the sandbox
(`reviewloop.sandbox.bubblewrap`, through `reviewloop.sandbox.process`): the worktree
writable, the rest of the
filesystem read-only, `$HOME` and `/tmp` empty, no network, an allow-listed environment,
and a timeout that kills the whole process group. The sandbox is the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewloop.agent.workspace import ToolRefused, Workspace
from reviewloop.checks.gates.commands import run_shell
from reviewloop.policy.commands import CommandPolicy

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
    """Run `command` in the workspace root, sandboxed with only that root writable, after
    the policy allows it; else ToolRefused. SandboxUnavailable when no sandbox can start
    (and the settings did not opt out with `sandbox = "off"`)."""
    reason = policy.check(command, root=ws.root)
    if reason:
        raise ToolRefused(reason)
    # as the gates run it: a Node package sees the checkout's node_modules, read-only
    run = run_shell(command, ws.root, timeout, sandbox=policy.sandbox)
    text = run.output
    if len(text) > tail_chars:
        text = f"[… {len(text) - tail_chars} earlier characters cut …]\n" + text[-tail_chars:]
    return CommandResult(None if run.timed_out else run.exit_code, text, run.timed_out)
