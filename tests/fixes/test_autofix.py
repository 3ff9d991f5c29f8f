"""The offline fixer: ruff's safe fixes for the rules ruff reported, everything else left."""

from __future__ import annotations

from pathlib import Path

from ruff.__main__ import find_ruff_bin

from reviewloop.findings.schema import Finding, Severity
from reviewloop.fixes.autofix import safe_fixes
from tests.support.processes import started


def _finding(source: str, rule: str, file: str = "m.py") -> Finding:
    return Finding(severity=Severity.NIT, file=file, start_line=1, end_line=1, title=rule,
                   rationale=rule, confidence=0.8, agent="review-maintainability",
                   source=source, rule=rule)


def test_ruff_fixes_the_rules_it_reported_with_its_binary_and_leaves_the_rest(
        tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import os\nimport sys\n\nprint(sys.argv)\n")
    unused = _finding("ruff-maintainability", "F401")
    other = _finding("bandit", "B101")

    with started() as runs:
        result = safe_fixes(tmp_path, [unused, other])

    assert (tmp_path / "m.py").read_text() == "import sys\n\nprint(sys.argv)\n"
    assert (result.fixed_rules, result.files, result.left) == (("F401",), ("m.py",), (other,))
    # the package's binary, not `python -m ruff` (a Python start-up only to exec it)
    assert [argv[0] for argv in runs] == [str(Path(find_ruff_bin()))]
