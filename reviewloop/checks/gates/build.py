"""The build gate: every build command, configured or detected, must exit 0."""

from __future__ import annotations

import time

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import (
    exit_summary,
    missing_program,
    run_commands,
    shim_without_version,
    transcript,
)
from reviewloop.checks.gates.detect import gate_commands
from reviewloop.sandbox.bubblewrap import Sandbox


class BuildGate:
    name = "build"

    def applies(self, ctx: GateContext) -> bool:
        return True

    def run(self, ctx: GateContext) -> GateResult:
        detected = gate_commands(ctx.root, ctx.settings.gates)
        if not detected.build:
            return GateResult.skip(self.name, f"no build command ({detected.reason})")
        started = time.monotonic()
        outcomes = run_commands(detected.build, ctx.root, ctx.settings.gates.timeout_seconds,
                                sandbox=Sandbox.from_settings(ctx.settings),
                                stop_on_failure=True)
        last = outcomes[-1]
        if last.run.timed_out:
            summary = f"`{last.command}` timed out after {ctx.settings.gates.timeout_seconds}s"
        elif last.run.exit_code != 0:
            summary = exit_summary(last.command, last.run)
        else:
            summary = "passed: " + ", ".join(f"`{c}`" for c in detected.build)
        passed = not last.run.timed_out and last.run.exit_code == 0
        return GateResult(name=self.name, passed=passed, summary=summary,
                          output_tail=transcript(outcomes),
                          duration_s=time.monotonic() - started,
                          missing_tool=missing_program(last.command, last.run),
                          user_fix=None if passed else shim_without_version(last.run))
