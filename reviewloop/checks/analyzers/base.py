"""What every analyzer shares: the context it reads, its error, and running its tool."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.errors import ReviewloopError
from reviewloop.git.diff import ChangeSet
from reviewloop.policy.trust import Trust
from reviewloop.sandbox.process import project_env

OUTPUT_CHARS = 500  # of a failing tool's output, quoted in the error


class AnalyzerError(ReviewloopError):
    """The tool ran and failed, or said something that cannot be read; the message says which."""


class AnalyzerSkipped(ReviewloopError):
    """The analyzer did not run by the user's choice (e.g. tests not opted in): not a failure.
    The message says what was not checked and how to turn it on."""


@dataclass(frozen=True)
class AnalyzerContext:
    """Everything an analyzer may look at, built once per agent by `run_for_agent`."""

    root: Path
    changes: ChangeSet  # the whole change
    diff_text: str
    agent: str
    files: tuple[str, ...] = ()  # changed files in the agent's scope that exist: analyze these
    timeout: float = 600  # for each analyzer's own tool
    tests: ProjectTests | None = None  # None: the project's tests must not run
    # the change's trust: where the project's own config is read from (`eslint_project.py`);
    # None: no project config is run
    trust: Trust | None = None

    def files_with(self, suffixes: Sequence[str]) -> list[str]:
        return [p for p in self.files if PurePosixPath(p).suffix in suffixes]


def module_missing(module: str, install: str) -> str | None:
    """None when `module` can be imported by this interpreter, else the reason with the fix."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{module} is not installed: {install}"


def run_tool(argv: Sequence[str], cwd: Path, timeout: float, *,
             ok_codes: Sequence[int] = (0, 1), env: Mapping[str, str] | None = None) -> str:
    """Run an analyzer's command and return its stdout; an exit code outside `ok_codes`
    (most linters exit 1 when they found something) is an AnalyzerError."""
    name = PurePosixPath(argv[0]).name if argv[1:2] != ["-m"] else argv[2]
    try:
        proc = subprocess.run(list(argv), check=False, cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL,
                              env={**project_env(), **(env or {})})
    except subprocess.TimeoutExpired:
        raise AnalyzerError(f"{name} did not finish within {timeout:.0f}s") from None
    except OSError as exc:
        raise AnalyzerError(f"{name} could not start: {exc}") from None
    if proc.returncode not in ok_codes:
        said = (proc.stderr.strip() or proc.stdout.strip())[-OUTPUT_CHARS:]
        raise AnalyzerError(f"{name} exited with {proc.returncode}: {said or 'no output'}")
    return proc.stdout


def parse_json(text: str, tool: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnalyzerError(f"{tool} printed something that is not JSON ({exc.msg}): "
                            f"{text[:OUTPUT_CHARS]!r}") from None


def short_title(text: str, limit: int = 120) -> str:
    """A tool's message as a finding title: one line, at most `limit` characters."""
    line = " ".join(text.split()) or "analyzer finding"
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"
