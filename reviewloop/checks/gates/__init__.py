"""Gates (guard-rails): hard checks (branch, secrets, build, test, coverage, the project's Kiro
hooks, your pre-commit hook) after each change.

A gate is a small object satisfying `Gate`, registered in `registry.REGISTRY` (import
`run_gates` from there: the registry imports each gate's module, which imports this package,
when the gate is first looked up). A failing
blocking gate stops the loop and its output goes back to the implementer
(`GateReport.feedback()`).
"""

from reviewloop.checks.gates.base import Gate, GateContext, GateReport, GateResult
from reviewloop.checks.gates.counts import TestCounts, parse_counts
from reviewloop.checks.gates.detect import DetectedCommands, detect_commands, gate_commands

__all__ = [
    "DetectedCommands",
    "Gate",
    "GateContext",
    "GateReport",
    "GateResult",
    "TestCounts",
    "detect_commands",
    "gate_commands",
    "parse_counts",
]
