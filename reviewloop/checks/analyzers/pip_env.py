"""How a provisioned tool's virtualenv is made and installed into: with reviewloop's own pip
when it has one (the virtualenv then needs none), else with the virtualenv's own."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path


def own_pip() -> bool:
    """True when reviewloop's Python has a pip that installs into another environment
    (`pip --python`, pip 22.3+); a uv tool environment, for one, has none."""
    try:
        major, minor = (int(part) for part in metadata.version("pip").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)


def venv_command(env_dir: Path, *, with_pip: bool) -> list[str]:
    """Without pip a virtualenv takes ~0.05 s to make instead of ensurepip's ~5 s."""
    return [sys.executable, "-m", "venv", *([] if with_pip else ["--without-pip"]), str(env_dir)]


def pip_command(python: Path, *, own: bool) -> list[str]:
    return [sys.executable, "-m", "pip", "--python", str(python)] if own \
        else [str(python), "-m", "pip"]
