"""Gates (guard-rails): hard checks (branch, secrets, build, test, coverage, the project's Kiro
hooks, your pre-commit hook) after each change.

A gate is a small object satisfying `Gate`, registered in `registry.REGISTRY` (import
`run_gates` from there: the registry imports each gate's module, which imports this package,
when the gate is first looked up). A failing
blocking gate stops the loop and its output goes back to the implementer
(`GateReport.feedback()`).
"""

from reviewloop.checks.gates.base import Gate, GateContext, GateReport, GateResult

# the test commands' detection (`detect`) and the test runners' counts (`counts`) are imported
# from their modules: a review that runs no command loads neither

__all__ = [
    "Gate",
    "GateContext",
    "GateReport",
    "GateResult",
]
