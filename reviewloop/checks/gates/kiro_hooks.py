"""The kiro-hooks gate: a project's own Kiro hooks whose action is a shell command run after
each implementer or fixer pass, inside the sandbox, and their failures go back like a gate's.

Which hooks fire is `hook_files`' decision (a file saved, created or deleted that matches
the hook's patterns, or the agent's turn ending). The hooks are trusted input: they are read
from the commit the run's worktree started from, never from the run's own tree, so a hook
file the model writes (or edits) does not run — the gate says so, and the file is a lever
that needs a human's approval (`policy.trust`). Each command runs as the build and the tests
do: in the worktree, sandboxed with the same environment and read allow-lists, no network
unless `sandbox_network`, within the hook's `timeout` capped by `[gates] timeout_seconds`.

A hook whose action asks an agent is shown as a note in the gate's summary, not run: its
prompt asks Kiro's agent for open-ended work (update the docs, write a test) with no pass or
fail a gate could read, and a model turn on every pass would cost without deciding anything.
"""

from __future__ import annotations

import time

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import CommandOutcome, run_shell, transcript
from reviewloop.checks.gates.hook_files import (
    HOOKS_DIR,
    FileEvents,
    ProjectHook,
    described,
    load_hooks,
)
from reviewloop.git.repository import open_repository
from reviewloop.sandbox.bubblewrap import Sandbox

_PROMPT_CHARS = 120


class KiroHooksGate:
    name = "kiro-hooks"

    def applies(self, ctx: GateContext) -> bool:
        return ctx.phase != "review" and ctx.settings.gates.kiro_hooks

    def run(self, ctx: GateContext) -> GateResult:
        started = time.monotonic()
        hooks = load_hooks(open_repository(ctx.root))
        events = _events(ctx)
        firing = [h for h in hooks if h.fires(events)]
        commands = [h for h in firing if h.action == "command"]
        notes = _notes(firing, hooks, ctx)
        if not commands:
            why = "no project hook fires for this change" if hooks else \
                f"no Kiro hooks in {HOOKS_DIR}/"
            return GateResult.skip(self.name, why + notes)
        outcomes = [_run(hook, ctx) for hook in commands]
        failed = [h for h, o in zip(commands, outcomes, strict=True) if not _ok(o)]
        summary = (f"project hook(s) failed: {described(failed)}" if failed else
                   f"project hook(s) passed: {described(commands)}")
        return GateResult(name=self.name, passed=not failed, summary=summary + notes,
                          output_tail=transcript(outcomes),
                          duration_s=time.monotonic() - started)


def _events(ctx: GateContext) -> FileEvents:
    """The change's file events; without a diff (a direct call), every path counts as saved."""
    if not ctx.diff_text.strip():
        return FileEvents(saved=frozenset(ctx.changed_files))
    return FileEvents.of(ctx.changes)


def _run(hook: ProjectHook, ctx: GateContext) -> CommandOutcome:
    limit = float(ctx.settings.gates.timeout_seconds)
    timeout = min(hook.timeout, limit) if hook.timeout else limit
    run = run_shell(hook.command or "", ctx.root, timeout,
                    sandbox=Sandbox.from_settings(ctx.settings))
    return CommandOutcome(f"{hook.command}  # hook {hook.name} ({hook.file})", run)


def _ok(outcome: CommandOutcome) -> bool:
    return outcome.run.exit_code == 0 and not outcome.run.timed_out


def _notes(firing: list[ProjectHook], hooks: tuple[ProjectHook, ...], ctx: GateContext) -> str:
    """What the summary adds: agent hooks as notes, hooks of triggers reviewloop does not
    fire, and hook files the change itself writes (which did not run)."""
    parts = []
    for hook in firing:
        if hook.action == "agent":
            prompt = " ".join((hook.prompt or "").split())
            cut = prompt[:_PROMPT_CHARS] + ("…" if len(prompt) > _PROMPT_CHARS else "")
            parts.append(f"note from hook {hook.name} (asks an agent, not run): {cut}")
    idle = [h for h in hooks if h.enabled and h.event is None]
    if idle:
        parts.append("not run here (their trigger is not a loop point): " + ", ".join(
            f"{h.name} ({h.trigger})" for h in idle))
    planted = sorted(p for p in ctx.changed_files if p.startswith(f"{HOOKS_DIR}/"))
    if planted:
        parts.append(f"the change writes {', '.join(planted)}: hook files the run writes "
                     "never run here and need your approval")
    return "".join(f"; {p}" for p in parts)
