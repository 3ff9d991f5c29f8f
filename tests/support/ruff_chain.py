"""The project's ruff chain as reviewloop writes it for its own run (`ruff_chain.written`),
from a checkout's files, and plain ruff's JSON report: for tests comparing the two."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_chain import written
from reviewloop.checks.analyzers.ruff_lookup import Governing, Lookup


def governing(root: Path, path: str) -> Governing:
    """The ruff config governing the file `path` of the checkout `root`, as its files are on
    disk (`ruff_lookup.Lookup`)."""

    def read(name: str) -> str | None:
        file = root / name
        return file.read_text() if file.is_file() else None

    found = Lookup(None, read).of(path)
    assert found is not None, f"no ruff config governs {path}"
    return found


def chain_config(root: Path, path: str, scratch: Path, version: str | None = None) -> Path:
    """The config file `written` to `scratch` (made here) for the chain governing the file
    `path` of the checkout `root`."""
    scratch.mkdir(parents=True, exist_ok=True)
    return written(governing(root, path).layers, str(root), scratch, version)


def ruff_report(root: Path, *arguments: str) -> list[dict[str, Any]]:
    """`ruff check --no-cache --output-format json ARGUMENTS` in `root`, parsed."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--output-format", "json",
                           *arguments], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout))


def ruff_show_files(root: Path) -> set[str]:
    """The files (from `root`) plain `ruff check .` lints in `root`: `--show-files`."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-files", "."],
                          cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {Path(os.path.relpath(line.strip(), root)).as_posix()
            for line in done.stdout.splitlines() if line.strip()}
