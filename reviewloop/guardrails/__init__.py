"""Guard-rails: hard gates (branch, build, test) run after each change, before review.

A gate is a small object satisfying `Gate`, registered in `registry.REGISTRY`. A failing
blocking gate stops the loop and its output goes back to the implementer
(`GateReport.feedback()`).
"""

from reviewloop.guardrails.base import Gate, GateContext, GateReport, GateResult
from reviewloop.guardrails.counts import TestCounts, parse_counts
from reviewloop.guardrails.detect import DetectedCommands, detect_commands, gate_commands
from reviewloop.guardrails.registry import REGISTRY, run_gates

__all__ = [
    "REGISTRY",
    "DetectedCommands",
    "Gate",
    "GateContext",
    "GateReport",
    "GateResult",
    "TestCounts",
    "detect_commands",
    "gate_commands",
    "parse_counts",
    "run_gates",
]
