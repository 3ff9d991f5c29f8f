"""The synth gate: every CDK app the change can affect synthesizes (in the sandbox, once per
tree state, `reviewloop.checks.cdk.synth`); its output goes back to the implementer and the
fixer like a failing test's."""

from __future__ import annotations

import time

from reviewloop.checks.cdk.app import CdkApp, find_apps, nag_for
from reviewloop.checks.cdk.synth import Synth, synthesized
from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import CommandOutcome, transcript
from reviewloop.sandbox.bubblewrap import Sandbox


class SynthGate:
    name = "synth"

    def applies(self, ctx: GateContext) -> bool:
        return True

    def run(self, ctx: GateContext) -> GateResult:
        touched = [a for a in find_apps(ctx.root, ctx.changed_files)
                   if a.relevant(ctx.changed_files)]
        apps = [a for a in touched if a.language.synthesized]
        if not apps:
            return GateResult.skip(self.name, _unsupported(touched) if touched else
                                   "no CDK app (cdk.json) that the change touches")
        broken = [a.problem for a in apps if a.problem]
        if broken:
            return GateResult(name=self.name, passed=False, summary=broken[0],
                              output_tail="\n".join(broken))
        started = time.monotonic()
        sandbox = Sandbox.from_settings(ctx.settings)
        synths = [synthesized(ctx.root, app, sandbox=sandbox, nag=nag_for(app.path(ctx.root)),
                              timeout=ctx.settings.gates.timeout_seconds) for app in apps]
        failed = [s for s in synths if not s.ok]
        return GateResult(name=self.name, passed=not failed, summary=_summary(synths, failed),
                          output_tail=transcript([CommandOutcome(s.command, s.run)
                                                  for s in synths]),
                          duration_s=time.monotonic() - started)


def _unsupported(apps: list[CdkApp]) -> str:
    """Why no app the change touches was synthesized: each is in a language reviewloop does
    not synthesize (the analyzers name its files as not read)."""
    return "; ".join(f"the CDK app in {a.folder or '.'} is written in {a.language.name}, "
                     "which reviewloop does not synthesize" for a in apps)


def _summary(synths: list[Synth], failed: list[Synth]) -> str:
    if not failed:
        return "synthesized: " + ", ".join(s.app.folder or "." for s in synths)
    first = failed[0]
    if first.run.timed_out:
        return f"`{first.command}` timed out"
    if first.run.exit_code == 0:
        return f"`{first.command}` wrote no cloud assembly (no manifest.json)"
    return f"`{first.command}` exited with {first.run.exit_code}"
