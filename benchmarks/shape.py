"""The tree's shape, for the reshape's before/after figures: modules per package, the
top-level modules, the longest functions, and test lines per product line.

    python benchmarks/shape.py [REPO]
"""

from __future__ import annotations

import ast
import collections
import sys
from pathlib import Path


def main(root: Path) -> None:
    package = root / "reviewloop"
    per_package: collections.Counter[str] = collections.Counter()
    longest: list[tuple[int, str]] = []
    product = 0
    for path in sorted(package.rglob("*.py")):
        if "examples" in path.relative_to(package).parts:
            continue  # the demo project's own code
        rel = path.relative_to(package)
        per_package[str(rel.parent)] += 1
        source = path.read_text(encoding="utf-8")
        product += len(source.splitlines())
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                longest.append((size, f"{rel}:{node.lineno} {node.name}"))
    tests = sum(len(p.read_text(encoding="utf-8").splitlines())
                for p in (root / "tests").rglob("*.py"))
    for name, count in sorted(per_package.items()):
        print(f"{count:4d}  {name}")
    print("top-level modules:", sorted(p.name for p in package.glob("*.py")))
    for size, where in sorted(longest, reverse=True)[:5]:
        print(f"longest {size:4d}  {where}")
    print(f"product lines {product}, test lines {tests}, ratio {tests / product:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
