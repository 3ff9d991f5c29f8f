"""File and search tools for the agents, confined to one repository, and their LangChain wrappers.

The domain functions (`fs_read`, `write_file`, …) take a `Workspace` first and raise
`ToolRefused` for anything the agent may not do; path confinement lives in
`reviewloop.agent.workspace`, reading and searching in `reviewloop.agent.search`, shell commands in
`reviewloop.agent.shell`; this module writes files and re-exports the rest. The factories wrap
them as LangChain tools that never raise for the model's mistakes: a refusal comes back as
``"refused: <reason>"``, a failure as ``"error: <what>"``, and every call lands in a `ToolLog`.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Re-exported: callers import the whole agent toolbox from here.
from reviewloop.agent.done import done_tool
from reviewloop.agent.search import (
    MAX_GREP_FILE_BYTES,
    MAX_GREP_MATCHES,
    MAX_LISTED,
    SKIPPED_DIRS,
    code,
    fs_read,
    glob,
    grep,
    list_dir,
)
from reviewloop.agent.shell import CommandResult, run_command
from reviewloop.agent.workspace import ToolRefused, Workspace
from reviewloop.policy.commands import CommandPolicy

__all__ = [
    "MAX_GREP_FILE_BYTES", "MAX_GREP_MATCHES", "MAX_LISTED", "SKIPPED_DIRS",
    "CommandPolicy", "CommandResult", "ToolCall", "ToolLog", "ToolRefused", "Workspace",
    "code", "edit_file", "editor_tools", "fs_read", "glob", "grep", "list_dir",
    "reviewer_tools", "run_command", "write_file",
]


# ---------------------------------------------------------------- log


Outcome = Literal["ok", "refused", "error"]


@dataclass(frozen=True)
class ToolCall:
    tool: str
    args: str
    outcome: Outcome
    detail: str = ""


class ToolLog:
    """Every tool call of a run, and the repo-relative paths the agents wrote (thread-safe).

    The run report shows the calls; the commit step stages exactly `written`.
    """

    def __init__(self) -> None:
        self._calls: list[ToolCall] = []
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def record(self, tool: str, args: str, outcome: Outcome, detail: str = "") -> None:
        with self._lock:
            self._calls.append(ToolCall(tool, args, outcome, detail))

    def mark_written(self, rel_path: str) -> None:
        with self._lock:
            self._written.add(rel_path)

    @property
    def calls(self) -> tuple[ToolCall, ...]:
        with self._lock:
            return tuple(self._calls)

    @property
    def written(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._written)


# ---------------------------------------------------------------- writing


def write_file(ws: Workspace, path: str, content: str, log: ToolLog | None = None) -> str:
    real = ws.resolve(path)
    if real.is_dir():
        raise ToolRefused(f"{path} is a directory")
    existed = real.exists()
    real.parent.mkdir(parents=True, exist_ok=True)
    with real.open("w", encoding="utf-8", newline="") as fh:
        fh.write(content)
    if log is not None:
        log.mark_written(ws.relative(real))
    verb = "overwrote" if existed else "created"
    return f"{verb} {ws.relative(real)} ({len(content.splitlines())} lines)"


def edit_file(
    ws: Workspace, path: str, old: str, new: str, log: ToolLog | None = None
) -> str:
    """Replace the one occurrence of `old` with `new`."""
    real = ws.resolve(path)
    if not real.is_file():
        raise ToolRefused(f"{path} does not exist; use write_file to create it")
    if not old:
        raise ToolRefused("old is empty; pass the exact text to replace")
    with real.open(encoding="utf-8", newline="") as fh:
        text = fh.read()
    if text.count(old) == 0 and "\r\n" in text:  # the model writes \n; the file has \r\n
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
    count = text.count(old)
    if count == 0:
        raise ToolRefused(
            f"old text not found in {path}; read the file and copy the text exactly, "
            "whitespace and indentation included"
        )
    if count > 1:
        raise ToolRefused(
            f"old text occurs {count} times in {path}; include more surrounding lines "
            "so it matches exactly once"
        )
    first = text[: text.index(old)].count("\n") + 1
    with real.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text.replace(old, new, 1))
    if log is not None:
        log.mark_written(ws.relative(real))
    return f"edited {ws.relative(real)} at line {first}"


# ---------------------------------------------------------------- LangChain tools


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ReadArgs(_Args):
    path: str = Field(description="Path from the repository root.")
    start_line: int | None = Field(None, ge=1, description="First line (1-based).")
    end_line: int | None = Field(None, ge=1, description="Last line, inclusive.")


class _DirArgs(_Args):
    path: str = Field(".", description="Directory, from the repository root.")


class _GlobArgs(_Args):
    pattern: str = Field(
        description="Glob from the root (`*` within one directory, `**/` any depth), e.g. "
        "`src/**/test_*.ts`."
    )


class _GrepArgs(_Args):
    pattern: str = Field(description="Python regex, matched line by line.")
    path: str = Field(".", description="File or directory, from the root.")
    glob: str | None = Field(
        None, description="Only files matching this glob, e.g. `*.py` (any depth)."
    )


class _CodeArgs(_Args):
    path: str = Field(description="Path from the repository root.")


class _WriteArgs(_Args):
    path: str = Field(description="Path from the repository root.")
    content: str = Field(description="The file's whole new content.")


class _EditArgs(_Args):
    path: str = Field(description="Path from the repository root.")
    old: str = Field(
        description="Exact text to replace, with its whitespace: include enough lines "
        "around it to occur once."
    )
    new: str = Field(description="Text that replaces `old`.")


class _CommandArgs(_Args):
    command: str = Field(description="One shell command line.")


def _short_args(kwargs: dict[str, object]) -> str:
    parts = []
    for key, value in kwargs.items():
        if key in ("content", "old", "new") and isinstance(value, str):
            shown = f"<{len(value)} chars>"
        else:
            shown = repr(value)
            shown = shown if len(shown) <= 80 else shown[:77] + "…"
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


def _as_tool(
    name: str, description: str, schema: type[BaseModel], func: Callable[..., str], log: ToolLog
) -> BaseTool:
    def call(**kwargs: object) -> str:
        args = _short_args(kwargs)
        try:
            result = func(**kwargs)
        except ToolRefused as refused:
            log.record(name, args, "refused", refused.reason)
            return f"refused: {refused.reason}"
        except (OSError, UnicodeError, ValueError, subprocess.SubprocessError) as exc:
            log.record(name, args, "error", str(exc))
            return f"error: {exc}"
        log.record(name, args, "ok")
        return result

    def invalid(exc: ValidationError) -> str:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()
        )
        log.record(name, "", "error", f"invalid arguments: {problems}")
        return f"error: invalid arguments for {name}: {problems}"

    return StructuredTool.from_function(
        func=call, name=name, description=description, args_schema=schema,
        handle_validation_error=invalid,
    )


def _read_tools(ws: Workspace, log: ToolLog) -> dict[str, BaseTool]:
    return {
        "fs_read": _as_tool(
            "fs_read",
            "Read a repository file with line numbers, whole or start_line..end_line.",
            _ReadArgs, lambda **kw: fs_read(ws, **kw), log,
        ),
        "list_dir": _as_tool(
            "list_dir", "List a directory of the repository; subdirectories end with `/`.",
            _DirArgs, lambda **kw: list_dir(ws, **kw), log,
        ),
        "glob": _as_tool(
            "glob",
            "Find files by path pattern (dependency, cache and build directories left out).",
            _GlobArgs, lambda **kw: glob(ws, **kw), log,
        ),
        "grep": _as_tool(
            "grep",
            "Search files with a Python regex: `path:line: text` per matching line, at most "
            f"{MAX_GREP_MATCHES}.",
            _GrepArgs, lambda **kw: grep(ws, **kw), log,
        ),
        "code": _as_tool(
            "code",
            "Outline a source file: classes and functions with line numbers and signatures "
            "(cheaper than reading it).",
            _CodeArgs, lambda **kw: code(ws, **kw), log,
        ),
    }


def allowed_text(allow: Sequence[str]) -> str:
    """The allow list as `run_command`'s description says it, every entry's meaning kept:
    one-word entries sharing a first word as one (`npm test|run`), an entry its bare first
    word already allows (`make *` after `make`: an entry without a wildcard allows every
    command it begins) left out; an entry with a wildcard or of more words is said whole."""
    groups: dict[str, list[str]] = {}
    for entry in allow:
        word, _, rest = " ".join(entry.split()).partition(" ")
        groups.setdefault(word, []).append(rest)
    shown = []
    for word, rests in groups.items():
        if "" in rests and not _wild(word):
            shown.append(word)
            continue
        plain = [r for r in rests if r and " " not in r and not _wild(f"{word} {r}")]
        shown += [f"{word} {r}".rstrip() for r in rests if r not in plain]
        if plain:
            shown.append(f"{word} {'|'.join(dict.fromkeys(plain))}")
    return ", ".join(shown)


def _wild(text: str) -> bool:
    return any(ch in text for ch in "*?[|")


def reviewer_tools(ws: Workspace, log: ToolLog | None = None) -> list[BaseTool]:
    """Read-only tools for reviewers: fs_read, code, grep, glob."""
    tools = _read_tools(ws, log if log is not None else ToolLog())
    return [tools[name] for name in ("fs_read", "code", "grep", "glob")]


def editor_tools(
    ws: Workspace, policy: CommandPolicy, log: ToolLog | None = None, *,
    command_timeout: float = 300,
) -> list[BaseTool]:
    """Tools for the implementer and the fixer: the read tools plus write, edit and run, and
    `done` to end with the last edit (`agent.done`)."""
    log = log if log is not None else ToolLog()
    tools = _read_tools(ws, log)

    def run(command: str) -> str:
        result = run_command(ws, policy, command, timeout=command_timeout)
        head = (
            f"timed out after {command_timeout:g}s and was killed" if result.timed_out
            else f"exit code {result.exit_code}"
        )
        return f"{head}\n{result.output_tail}"

    allowed = allowed_text(policy.allow) if policy.allow else "any command not denied"
    extra = [
        _as_tool(
            "write_file",
            "Create or overwrite a file with its whole content (directories made); edit_file "
            "changes part of one.",
            _WriteArgs, lambda **kw: write_file(ws, **kw, log=log), log,
        ),
        _as_tool(
            "edit_file",
            "Replace the one exact occurrence of `old` with `new` in a file; refused when "
            "`old` is missing or occurs more than once.",
            _EditArgs, lambda **kw: edit_file(ws, **kw, log=log), log,
        ),
        _as_tool(
            "run_command",
            "Run a shell command in the repository root: its exit code and output's tail. "
            f"Allowed: {allowed}. Redirection to files, shell "
            "substitution and destructive commands are refused.",
            _CommandArgs, run, log,
        ),
    ]
    ordered = [tools[n] for n in ("fs_read", "list_dir", "glob", "grep", "code")]
    return [*ordered, *extra, done_tool()]
