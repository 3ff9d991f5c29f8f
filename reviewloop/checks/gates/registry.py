"""The gates reviewloop knows, in the order they run, and the loop that runs them.

A new gate is a module with a class satisfying `Gate` and one line in `REGISTRY`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Mapping

from reviewloop.checks.cdk.gate import SynthGate
from reviewloop.checks.coverage.gate import CoverageGate
from reviewloop.checks.gates.base import Gate, GateContext, GateReport, GateResult, Phase
from reviewloop.checks.gates.branch import BranchGate
from reviewloop.checks.gates.build import BuildGate
from reviewloop.checks.gates.hooks import HooksGate
from reviewloop.checks.gates.kiro_hooks import KiroHooksGate
from reviewloop.checks.gates.test import TestGate
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from reviewloop.errors import ReviewloopError
from reviewloop.git.diff import read_diff
from reviewloop.git.repository import Repository, TouchedFiles

OnGate = Callable[[str, "GateResult | None"], None]  # (gate, None when it starts | its result)

# Insertion order is run order: the instant checks first, the build and the CDK synth
# before the tests, the
# project's Kiro hooks (after the files are written), the user's pre-commit hook last (as at
# a commit, after the change is complete).
REGISTRY: dict[str, Gate] = {
    "branch": BranchGate(),
    "secrets": SecretsGate(),
    "build": BuildGate(),
    "synth": SynthGate(),
    "test": TestGate(),
    "coverage": CoverageGate(),
    "kiro-hooks": KiroHooksGate(),
    "hooks": HooksGate(),
}


def run_gates(ctx: GateContext, names: Iterable[str] | None = None, *,
              gates: Mapping[str, Gate] | None = None,
              on_gate: OnGate | None = None) -> GateReport:
    """Run the named gates (all by default) in registry order and collect their results;
    `on_gate(name, None)` is told as each starts, `on_gate(name, result)` as it ends."""
    table = REGISTRY if gates is None else gates
    wanted = list(table) if names is None else list(names)
    unknown = [n for n in wanted if n not in table]
    if unknown:
        raise ValueError(f"unknown gate(s) {', '.join(unknown)}; known: {', '.join(table)}")
    results = []
    for name, gate in table.items():
        if name not in wanted:
            continue
        if on_gate is not None:
            on_gate(name, None)
        results.append(_run_one(gate, ctx))
        if on_gate is not None:
            on_gate(name, results[-1])
    return GateReport(results=tuple(results))


def check_change(repo: Repository, settings: Settings, touched: TouchedFiles, diff_path: str,
                 *, phase: Phase, names: Iterable[str] | None = None,
                 on_gate: OnGate | None = None) -> GateReport:
    """The gates on a run's change as it is now (`touched`, the diff at `diff_path`); a
    change with no file in it fails at once."""
    if not touched.paths:
        return GateReport(no_change=True)
    ctx = GateContext(root=repo.root, settings=settings, changed_files=touched.paths,
                      diff_text=read_diff(diff_path),
                      branch=repo.current_branch(), default_branch=repo.default_branch(),
                      phase=phase)
    return run_gates(ctx, names, on_gate=on_gate)


def _run_one(gate: Gate, ctx: GateContext) -> GateResult:
    started = time.monotonic()
    try:
        if not gate.applies(ctx):
            return GateResult.skip(gate.name, f"does not apply in the {ctx.phase} phase")
        return gate.run(ctx)
    except ReviewloopError:
        raise
    # The per-gate boundary: a broken gate is a failed gate, not a crashed loop.
    except Exception as exc:  # noqa: BLE001
        return GateResult(
            name=gate.name, passed=False, duration_s=time.monotonic() - started,
            summary=f"the {gate.name} gate crashed: {type(exc).__name__}: {exc}",
            output_tail="".join(traceback.format_exception(exc)))
