"""Building one tool's folder, pip's way or npm's, each step said aloud while it runs; the
marker goes in last, so a folder without it is an unfinished install (`provision.py` decides
when to build, and holds the lock)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reviewloop.checks.analyzers import npm_env, pip_env
from reviewloop.checks.analyzers.tool_table import (
    MARKER,
    ProvisionError,
    Tool,
    fix_command,
)

PIP_CACHE = ".pip-cache"
VENV_READY = ".venv-ready"  # the virtualenv is whole: a later attempt resumes in it
BEAT_S = 30.0  # a line this often while an install runs
_OUTPUT_CHARS = 600

Say = Callable[[str], None]


def resumable(tool: Tool, env_dir: Path) -> bool:
    """Whether an earlier attempt left something the next one builds on: a whole virtualenv
    (pip), or the downloads in the tools folder's npm cache (npm)."""
    if tool.npm:
        return (env_dir / "package-lock.json").is_file()
    return (env_dir / VENV_READY).is_file()


def build(tool: Tool, env_dir: Path, timeout: float, say: Say, *, resumed: bool,
          beat: float = BEAT_S) -> None:
    """Install `tool` into `env_dir` and write its marker."""
    started = time.monotonic()
    if tool.npm:
        _npm(tool, env_dir, timeout, say, beat)
    else:
        _pip(tool, env_dir, timeout, say, beat, resumed=resumed)
    command = tool.command_in(env_dir)
    if not command.is_file():
        raise ProvisionError(f"{tool.requirement} installed no `{tool.command}` in {env_dir}; "
                             f"the pin in TOOLS is wrong")
    (env_dir / MARKER).write_text(json.dumps({
        "name": tool.name, "version": tool.version, "requirement": tool.pin(),
        "installer": tool.installer, "python": sys.version.split()[0],
        "seconds": round(time.monotonic() - started, 1),
    }) + "\n", encoding="utf-8")


def _pip(tool: Tool, env_dir: Path, timeout: float, say: Say, beat: float, *,
         resumed: bool) -> None:
    own = pip_env.own_pip()
    if not resumed:
        shutil.rmtree(env_dir, ignore_errors=True)  # a virtualenv that was never finished
        step(pip_env.venv_command(env_dir, with_pip=not own), tool, "create a virtualenv",
             timeout, say, beat)
        (env_dir / VENV_READY).touch()
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / \
        ("python.exe" if os.name == "nt" else "python")
    step([*pip_env.pip_command(python, own=own), "install", "--quiet",
          "--disable-pip-version-check", "--cache-dir", str(env_dir.parent / PIP_CACHE),
          tool.requirement], tool, f"pip install {tool.requirement}", timeout, say, beat)


def _npm(tool: Tool, env_dir: Path, timeout: float, say: Say, beat: float) -> None:
    executable = npm_env.npm()
    if executable is None:
        raise ProvisionError(npm_env.missing_npm(tool.name))
    npm_env.prepare(tool.name, env_dir)
    step(npm_env.ci_command(executable, env_dir), tool, f"npm ci ({tool.requirement})",
         timeout, say, beat, cwd=env_dir)


def step(argv: list[str], tool: Tool, what: str, timeout: float, say: Say, beat: float,
         cwd: Path | None = None) -> None:
    """Run one install step, saying every `beat` seconds that it still runs."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, stdin=subprocess.DEVNULL, cwd=cwd)
    except OSError as exc:
        raise ProvisionError(f"cannot install {tool.name}: `{what}` could not start: {exc}"
                             ) from None
    while True:
        left = timeout - (time.monotonic() - started)
        try:
            out, err = proc.communicate(timeout=max(0.0, min(beat, left)))
            break
        except subprocess.TimeoutExpired:
            if left <= beat:
                proc.kill()
                proc.communicate()
                raise ProvisionError(
                    f"cannot install {tool.name}: `{what}` took over {timeout:.0f}s; fix: "
                    f"retry `{fix_command(tool)}` (it resumes where this one stopped)"
                    ) from None
            say(f"still installing {tool.name}: {time.monotonic() - started:.0f}s "
                f"(usually {tool.typical})")
    if proc.returncode != 0:
        said = (err.strip() or out.strip())[-_OUTPUT_CHARS:] or "no output"
        settings = "npm's registry settings" if tool.npm else "pip's index settings"
        raise ProvisionError(f"cannot install {tool.name}: `{what}` exited with "
                             f"{proc.returncode}: {said}; fix: run `{fix_command(tool)}` "
                             f"where {tool.registry} is reachable ({settings} apply)")
