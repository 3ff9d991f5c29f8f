"""How much a change raises the cyclomatic complexity of its Python files, for governance's
`complexity_increase` threshold (`policy.approval`).

Measured with ruff's mccabe rule (C901, `max-complexity = 0` so every function reports its
complexity) on the before and after texts, copied to a temporary folder: ruff only parses
them, nothing of the change runs. The increase is the sum of each function's complexity
above 1 (its decision points), after minus before; a new function counts in full, a deleted
one is subtracted. Non-Python files add nothing. The files' total before the change is kept
too, for a threshold written as a percentage of it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerError, parse_json, run_tool
from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.policy.approval import Complexity

# path -> (text before the change, text after it); None: the file did not exist
Texts = Mapping[str, tuple[str | None, str | None]]
_MESSAGE = re.compile(r"is too complex \((\d+) > 0\)")
TIMEOUT_S = 120


def complexity_increase(texts: Texts) -> Complexity:
    """The change's complexity increase over the Python files among `texts`."""
    python = {p: pair for p, pair in texts.items() if PurePosixPath(p).suffix in (".py",
                                                                                  ".pyi")}
    if not python:
        return Complexity(increase=0, before=0)
    with tempfile.TemporaryDirectory(prefix="reviewloop-complexity-") as tmp:
        folder = Path(tmp)
        for index, (before, after) in enumerate(python.values()):
            for side, text in (("before", before), ("after", after)):
                if text is not None:
                    target = folder / side / f"f{index}.py"
                    target.parent.mkdir(exist_ok=True)
                    target.write_text(text, encoding="utf-8")
        try:
            sides = _measure(folder)
        except AnalyzerError as exc:
            return Complexity(error=str(exc))
    base = sides.get("before", 0)
    return Complexity(increase=sides.get("after", 0) - base, before=base)


def _measure(folder: Path) -> dict[str, int]:
    """Decision points per side ("before", "after") over the files under `folder`."""
    argv = [*ruff_command(), "check", "--isolated", "--no-cache", "--ignore-noqa",
            "--exit-zero", "--output-format", "json", "--select", "C901", "--config",
            "lint.mccabe.max-complexity = 0", "."]
    found = parse_json(run_tool(argv, folder, TIMEOUT_S), "ruff")
    if not isinstance(found, list):
        raise AnalyzerError(f"ruff's JSON output is not a list: {str(found)[:200]}")
    totals: dict[str, int] = {}
    for item in found:
        match = _MESSAGE.search(str(item.get("message", "")))
        if item.get("code") != "C901" or match is None:
            continue
        side = Path(str(item.get("filename", ""))).parent.name
        totals[side] = totals.get(side, 0) + int(match.group(1)) - 1
    return totals
