"""What a project is built with, as `reviewloop init` tells it: TypeScript or JavaScript (by
package.json, with the package manager its lockfile names), an AWS CDK app (cdk.json),
Python (with its project manager's lockfile), Go, Rust, Java (Maven or Gradle) — or several
of them side by side. Looks at files only."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.gates.node import package_manager, read_manifest

_PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile")
# a Python project manager's lockfile -> the command that runs the tests in its environment
PYTHON_MANAGERS = {"uv.lock": "uv run pytest", "poetry.lock": "poetry run pytest",
                   "pdm.lock": "pdm run pytest", "Pipfile.lock": "pipenv run pytest"}
_OTHERS = (("Go", ("go.mod",)), ("Rust", ("Cargo.toml",)),
           ("Java", ("pom.xml", "build.gradle.kts", "build.gradle")))
_COREPACK = "`corepack enable` (corepack comes with Node.js 16.10+) or `npm install -g {}`"
_INSTALL = {"yarn": _COREPACK.format("yarn"), "yarn-berry": _COREPACK.format("yarn"),
            "pnpm": _COREPACK.format("pnpm"),
            "bun": "`npm install -g bun` (or bun's own installer, bun.sh)"}


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
        lock = python_lockfile(root)
        found.append(Stack("Python", f"{python}, {lock}" if lock else python))
    for name, markers in _OTHERS:
        marker = next((m for m in markers if (root / m).is_file()), None)
        if marker is not None:
            found.append(Stack(name, marker))
    return found


def python_lockfile(root: Path) -> str | None:
    """The Python project manager's lockfile in `root`, if any (`PYTHON_MANAGERS`)."""
    return next((name for name in PYTHON_MANAGERS if (root / name).is_file()), None)


def python_note(root: Path, commands: tuple[str, ...]) -> str | None:
    """When a project manager's lockfile says where the tests' environment is and the
    detected test gate runs the `python` on PATH: what to write instead. Not written for
    it: `uv run` or `poetry run` in a run's worktree would build (and download) an
    environment of its own there, which the sandbox's network-off gates cannot."""
    lock = python_lockfile(root)
    if lock is None or not any(" -m pytest" in c for c in commands):
        return None
    return (f"{lock} is here: the test gate runs `python -m pytest` with the python first on "
            f"PATH, so activate the project's environment before reviewloop runs, or set "
            f"test = [\"{PYTHON_MANAGERS[lock]}\"] when that works offline in a fresh clone")


def node_note(stacks: list[Stack]) -> list[str]:
    """What a Node project needs before a run, as comment lines for the settings file."""
    if not any(s.name in ("TypeScript", "JavaScript") for s in stacks):
        return []
    return ["# A run works in a git worktree without node_modules of its own: its build and",
            "# tests use this checkout's (read-only), so install them here first (npm ci, …)."]


def missing_manager(root: Path, commands: tuple[str, ...], path: str | None = None) -> str | None:
    """When `commands` (the detected gates) run the package manager the lockfile names and
    no such program is on `path` (default: PATH): what it is and how to get it. The gate is
    written anyway — the lockfile says what the project uses, and CI or a colleague has it —
    but every run here would fail it until it is installed, so `init` says so. npm is not
    asked for: it comes with Node.js, which every Node gate needs anyway."""
    if read_manifest(root) is None:
        return None
    manager, lockfile = package_manager(root)
    if manager not in _INSTALL:
        return None
    program = "yarn" if manager == "yarn-berry" else manager
    if not any(command.split()[:1] == [program] for command in commands) \
            or shutil.which(program, path=path) is not None:
        return None
    return (f"{program} is not installed here, and {lockfile or 'package.json'} says the "
            f"project uses it: the gates that run it fail until it is; {_INSTALL[manager]}")
