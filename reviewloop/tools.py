"""File and search tools for the agents, confined to one repository, and their LangChain wrappers.

The domain functions (`fs_read`, `write_file`, …) take a `Workspace` first and raise
`ToolRefused` for anything the agent may not do; path confinement lives in
`reviewloop.workspace`, shell commands in `reviewloop.shell`. The factories at the bottom wrap
them as LangChain tools that never raise for the model's mistakes: a refusal comes back as
``"refused: <reason>"``, a failure as ``"error: <what>"``, and every call lands in a `ToolLog`.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Re-exported: callers import the whole agent toolbox from here.
from reviewloop.shell import CommandPolicy, CommandResult, run_command
from reviewloop.workspace import ToolRefused, Workspace

__all__ = [
    "CommandPolicy", "CommandResult", "ToolCall", "ToolLog", "ToolRefused", "Workspace",
    "code", "edit_file", "editor_tools", "fs_read", "glob", "grep", "list_dir",
    "reviewer_tools", "run_command", "write_file",
]

# Directories no search descends into: VCS data, dependencies, caches, build output.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".reviewloop", "dist", "build", "target",
    ".next", ".terraform",
})
MAX_LISTED = 500
MAX_GREP_MATCHES = 200
MAX_GREP_FILE_BYTES = 2_000_000


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


# ---------------------------------------------------------------- reading and searching


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192]


def fs_read(
    ws: Workspace, path: str, start_line: int | None = None, end_line: int | None = None
) -> str:
    """The file's lines numbered from 1, within the byte cap."""
    real = ws.resolve(path)
    if real.is_dir():
        raise ToolRefused(f"{path} is a directory; use list_dir")
    if not real.is_file():
        raise ToolRefused(f"{path} does not exist")
    with real.open("rb") as fh:
        if _is_binary(fh.read(8192)):
            raise ToolRefused(f"{path} is a binary file")
    start = max(start_line or 1, 1)
    lines, size, cut = [], 0, False
    with real.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, 1):
            if end_line is not None and number > end_line:
                break
            if number < start:
                continue
            size += len(line.encode("utf-8", errors="replace"))
            if size > ws.max_read_bytes:
                cut = True
                break
            text = line.rstrip("\r\n")
            lines.append(f"{number:>6}\t{text}")
    if not lines:
        return f"(no lines: {path} is empty or has fewer than {start} lines)"
    if cut:
        lines.append(f"[… cut at {ws.max_read_bytes} bytes; read on with start_line=…]")
    return "\n".join(lines)


def list_dir(ws: Workspace, path: str = ".") -> str:
    real = ws.resolve(path)
    if not real.is_dir():
        raise ToolRefused(f"{path} is not a directory")
    names = sorted(
        entry.name + ("/" if entry.is_dir() else "")
        for entry in real.iterdir() if entry.name != ".git"
    )
    return _capped(names, MAX_LISTED, "entries") or f"({path} is empty)"


def _walk(start: Path) -> Iterator[Path]:
    """Files under `start`, without following symlinked dirs or entering skipped dirs."""
    if start.is_file():
        yield start
        return
    for dirpath, dirnames, filenames in os.walk(start):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            yield Path(dirpath, name)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out += "[" + ("^" + body[1:] if body.startswith("!") else body) + "]"
            i = end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def glob(ws: Workspace, pattern: str) -> str:
    """Repo-relative files matching a glob (`**/` spans directories), sorted and capped."""
    if pattern.startswith("/") or ".." in Path(pattern).parts:
        raise ToolRefused("glob patterns are relative to the repository root, without ..")
    regex = _glob_regex(pattern.removeprefix("./"))
    matches = sorted(
        rel for rel in (ws.relative(f) for f in _walk(ws.root)) if regex.match(rel)
    )
    return _capped(matches, MAX_LISTED, "files") or f"no files match {pattern}"


def grep(ws: Workspace, pattern: str, path: str = ".", glob: str | None = None) -> str:
    """Lines matching a Python regex, as `file:line: text`, capped."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ToolRefused(f"invalid regular expression: {exc}") from None
    start = ws.resolve(path)
    only = _glob_regex(glob) if glob else None
    hits: list[str] = []
    for file in _walk(start):
        rel = ws.relative(file)
        if only and not only.match(rel if "/" in glob else file.name):
            continue
        for number, text in _matching_lines(ws, file, rel, regex):
            hits.append(f"{rel}:{number}: {text[:200]}")
            if len(hits) > MAX_GREP_MATCHES:
                return _capped(hits, MAX_GREP_MATCHES, "matches; narrow the pattern or path")
    return "\n".join(hits) or f"no matches for {pattern!r}"


def _matching_lines(
    ws: Workspace, file: Path, rel: str, regex: re.Pattern[str]
) -> Iterator[tuple[int, str]]:
    try:
        ws.resolve(rel)  # skips secrets and symlinks that leave the repo
    except ToolRefused:
        return
    try:
        if not file.is_file() or file.stat().st_size > MAX_GREP_FILE_BYTES:
            return
        data = file.read_bytes()
    except OSError:  # unreadable files are skipped, not fatal to the search
        return
    if _is_binary(data):
        return
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if regex.search(line):
            yield number, line.strip()


def _capped(items: list[str], cap: int, what: str) -> str:
    if len(items) <= cap:
        return "\n".join(items)
    return "\n".join(items[:cap]) + f"\n[… capped at {cap} {what}]"


_OUTLINE = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:pub(?:\(\w+\))?\s+)?(?:async\s+)?"
    r"(?:def|function|class|func|fn|interface|struct|enum|trait|impl|module|type)\b.*"
)


def code(ws: Workspace, path: str) -> str:
    """An outline of the file's classes and functions with line numbers."""
    real = ws.resolve(path)
    if not real.is_file():
        raise ToolRefused(f"{path} is not a file")
    source = real.read_text(encoding="utf-8", errors="replace")
    if real.suffix == ".py":
        try:
            return "\n".join(_python_outline(ast.parse(source).body, 0)) or "(no definitions)"
        except SyntaxError as exc:
            note = f"(not valid Python: {exc.msg} at line {exc.lineno}; regex outline)\n"
            return note + _regex_outline(source)
    return _regex_outline(source)


def _python_outline(nodes: list[ast.stmt], depth: int) -> list[str]:
    lines = []
    pad = "  " * depth
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            lines.append(f"{node.lineno}: {pad}class {node.name}" + (f"({bases})" if bases else ""))
            lines.extend(_python_outline(node.body, depth + 1))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            lines.append(
                f"{node.lineno}-{node.end_lineno}: {pad}{prefix} {node.name}"
                f"({ast.unparse(node.args)}){returns}"
            )
    return lines


def _regex_outline(source: str) -> str:
    lines = [
        f"{n}: {line.strip()[:160]}"
        for n, line in enumerate(source.splitlines(), 1) if _OUTLINE.match(line)
    ]
    return "\n".join(lines) or "(no definitions found)"


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
    path: str = Field(description="File path relative to the repository root.")
    start_line: int | None = Field(None, ge=1, description="First line to show (1-based).")
    end_line: int | None = Field(None, ge=1, description="Last line to show, inclusive.")


class _DirArgs(_Args):
    path: str = Field(".", description="Directory relative to the repository root.")


class _GlobArgs(_Args):
    pattern: str = Field(
        description="Glob relative to the root: `*` stays in one directory, `**/` spans "
        "any depth. Examples: `**/*.py`, `src/**/test_*.ts`, `Makefile`."
    )


class _GrepArgs(_Args):
    pattern: str = Field(description="Python regular expression searched line by line.")
    path: str = Field(".", description="File or directory to search, relative to the root.")
    glob: str | None = Field(
        None, description="Only search files matching this glob, e.g. `*.py` (a glob "
        "without `/` matches file names at any depth)."
    )


class _CodeArgs(_Args):
    path: str = Field(description="Source file relative to the repository root.")


class _WriteArgs(_Args):
    path: str = Field(description="File path relative to the repository root.")
    content: str = Field(description="The complete new content of the file.")


class _EditArgs(_Args):
    path: str = Field(description="File path relative to the repository root.")
    old: str = Field(
        description="Exact text to replace, copied from the file with its whitespace; "
        "it must occur exactly once, so include enough surrounding lines."
    )
    new: str = Field(description="Text that replaces `old`.")


class _CommandArgs(_Args):
    command: str = Field(description="One shell command line, run from the repository root.")


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
            "Read a text file of the repository, with line numbers. For long files pass "
            "start_line/end_line. Secrets, .git and paths outside the repository are refused.",
            _ReadArgs, lambda **kw: fs_read(ws, **kw), log,
        ),
        "list_dir": _as_tool(
            "list_dir", "List a directory of the repository; subdirectories end with `/`.",
            _DirArgs, lambda **kw: list_dir(ws, **kw), log,
        ),
        "glob": _as_tool(
            "glob",
            "Find files by path pattern; returns repository-relative paths, sorted. "
            "Dependency, cache and build directories (node_modules, .venv, …) are skipped.",
            _GlobArgs, lambda **kw: glob(ws, **kw), log,
        ),
        "grep": _as_tool(
            "grep",
            "Search file contents with a Python regular expression; returns "
            "`path:line: text` for each matching line, capped at "
            f"{MAX_GREP_MATCHES} matches.",
            _GrepArgs, lambda **kw: grep(ws, **kw), log,
        ),
        "code": _as_tool(
            "code",
            "Outline one source file: its classes and functions with line numbers and "
            "signatures. Cheaper than reading the whole file; read the parts you need next.",
            _CodeArgs, lambda **kw: code(ws, **kw), log,
        ),
    }


def reviewer_tools(ws: Workspace, log: ToolLog | None = None) -> list[BaseTool]:
    """Read-only tools for reviewers: fs_read, code, grep, glob."""
    tools = _read_tools(ws, log if log is not None else ToolLog())
    return [tools[name] for name in ("fs_read", "code", "grep", "glob")]


def editor_tools(
    ws: Workspace, policy: CommandPolicy, log: ToolLog | None = None, *,
    command_timeout: float = 300,
) -> list[BaseTool]:
    """Tools for the implementer and the fixer: the read tools plus write, edit and run."""
    log = log if log is not None else ToolLog()
    tools = _read_tools(ws, log)

    def run(command: str) -> str:
        result = run_command(ws, policy, command, timeout=command_timeout)
        head = (
            f"timed out after {command_timeout:g}s and was killed" if result.timed_out
            else f"exit code {result.exit_code}"
        )
        return f"{head}\n{result.output_tail}"

    allowed = ", ".join(policy.allow) if policy.allow else "any command not denied"
    extra = [
        _as_tool(
            "write_file",
            "Create or overwrite a file with the full content given; parent directories are "
            "created. Prefer edit_file for changing part of an existing file.",
            _WriteArgs, lambda **kw: write_file(ws, **kw, log=log), log,
        ),
        _as_tool(
            "edit_file",
            "Replace one exact occurrence of `old` with `new` in an existing file. Refused "
            "when `old` is missing or occurs more than once.",
            _EditArgs, lambda **kw: edit_file(ws, **kw, log=log), log,
        ),
        _as_tool(
            "run_command",
            "Run a shell command (tests, linters, builds) in the repository root and return "
            f"its exit code and the tail of its output. Allowed: {allowed}. Output "
            "redirection to files, shell substitution and destructive commands are refused.",
            _CommandArgs, run, log,
        ),
    ]
    ordered = [tools[n] for n in ("fs_read", "list_dir", "glob", "grep", "code")]
    return ordered + extra
