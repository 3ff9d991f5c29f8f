"""The gates reviewloop knows, in the order they run, and the loop that runs them.

A new gate is a module with a class satisfying `Gate`, a function here that imports and makes
it, and one line in `REGISTRY` (a gate's module loads when the gate is first looked up).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping

from reviewloop.checks.gates.base import Gate, GateContext, GateReport, GateResult, Phase
from reviewloop.config import Settings
from reviewloop.errors import ReviewloopError
from reviewloop.git.diff import read_diff
from reviewloop.git.repository import Repository, TouchedFiles

OnGate = Callable[[str, "GateResult | None"], None]  # (gate, None when it starts | its result)


def _branch() -> Gate:
    from reviewloop.checks.gates.branch import BranchGate
    return BranchGate()


def _secrets() -> Gate:
    from reviewloop.checks.secrets.gate import SecretsGate
    return SecretsGate()


def _build() -> Gate:
    from reviewloop.checks.gates.build import BuildGate
    return BuildGate()


def _synth() -> Gate:
    from reviewloop.checks.cdk.gate import SynthGate
    return SynthGate()


def _test() -> Gate:
    from reviewloop.checks.gates.test import TestGate
    return TestGate()


def _coverage() -> Gate:
    from reviewloop.checks.coverage.gate import CoverageGate
    return CoverageGate()


def _kiro_hooks() -> Gate:
    from reviewloop.checks.gates.kiro_hooks import KiroHooksGate
    return KiroHooksGate()


def _hooks() -> Gate:
    from reviewloop.checks.gates.hooks import HooksGate
    return HooksGate()


class _Gates(Mapping[str, Gate]):
    """The gates by name, each module imported when its gate is first looked up (a review
    runs two of the eight: the others' modules, ~15 ms of imports, are never loaded)."""

    def __init__(self, makers: dict[str, Callable[[], Gate]]) -> None:
        self._makers = makers
        self._made: dict[str, Gate] = {}

    def __getitem__(self, name: str) -> Gate:
        if name not in self._made:
            self._made[name] = self._makers[name]()
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


# Insertion order is run order: the instant checks first, the build and the CDK synth
# before the tests, the project's Kiro hooks (after the files are written), the user's
# pre-commit hook last (as at a commit, after the change is complete).
REGISTRY: Mapping[str, Gate] = _Gates({
    "branch": _branch,
    "secrets": _secrets,
    "build": _build,
    "synth": _synth,
    "test": _test,
    "coverage": _coverage,
    "kiro-hooks": _kiro_hooks,
    "hooks": _hooks,
})


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
    for name in table:
        if name not in wanted:
            continue
        if on_gate is not None:
            on_gate(name, None)
        results.append(_run_one(table[name], ctx))
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
