"""What a project is built with, as `reviewloop init` tells it: TypeScript or JavaScript (by
package.json, with the package manager its lockfile names), an AWS CDK app (cdk.json),
Python — or several of them side by side. Looks at files only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.gates.node import package_manager, read_manifest

_PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile")


@dataclass(frozen=True)
class Stack:
    """One part of the stack and the file that shows it."""

    name: str
    evidence: str


def detect_stack(root: Path) -> list[Stack]:
    """The stacks found in `root`, Node first (its lockfile decides the package manager)."""
    found = []
    manifest = read_manifest(root)
    if manifest is not None:
        manager, lockfile = package_manager(root)
        typescript = (root / "tsconfig.json").is_file() or any(
            isinstance(manifest.get(k), dict) and "typescript" in manifest[k]
            for k in ("dependencies", "devDependencies"))
        shown = manager.replace("-berry", " (berry)")
        found.append(Stack("TypeScript" if typescript else "JavaScript",
                           f"package.json, {lockfile or 'no lockfile'} → {shown}"))
    if (root / "cdk.json").is_file():
        found.append(Stack("AWS CDK", "cdk.json"))
    python = next((m for m in _PYTHON_MARKERS if (root / m).is_file()), None)
    if python is not None:
        found.append(Stack("Python", python))
    return found


def node_note(stacks: list[Stack]) -> list[str]:
    """What a Node project needs before a run, as comment lines for the settings file."""
    if not any(s.name in ("TypeScript", "JavaScript") for s in stacks):
        return []
    return ["# A run works in a git worktree without node_modules of its own: its build and",
            "# tests use this checkout's (read-only), so install them here first (npm ci, …)."]
