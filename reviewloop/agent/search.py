"""Reading and searching one repository for the agents: fs_read, list_dir, glob, grep, code.

Each function takes a `Workspace` first, raises `ToolRefused` for what the agent may not
read, and caps its output so one call cannot flood the model's context. The LangChain
wrappers live in `reviewloop.agent.tools`.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from reviewloop.agent.workspace import ToolRefused, Workspace
from reviewloop.checks.analyzers.line_breaks import PYTHON, tool_lines

# Directories no search descends into: VCS data, dependencies, caches, build output.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".reviewloop", "dist", "build", "target",
    ".next", ".terraform",
})
MAX_LISTED = 500
MAX_GREP_MATCHES = 200
MAX_GREP_FILE_BYTES = 2_000_000


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192]


def fs_read(
    ws: Workspace, path: str, start_line: int | None = None, end_line: int | None = None
) -> str:
    """The file's lines numbered from 1 as git numbers them (split at LF only: a lone CR,
    a form feed or U+2028 is inside a line, as the diff and the findings count them),
    within the byte cap."""
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
    with real.open("rb") as fh:  # a binary file's lines end at LF only, as git's
        for number, raw in enumerate(fh, 1):
            if end_line is not None and number > end_line:
                break
            if number < start:
                continue
            size += len(raw)
            if size > ws.max_read_bytes:
                cut = True
                break
            text = raw.decode("utf-8", errors="replace").removesuffix("\n") \
                .removesuffix("\r")
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
        if only and not only.match(rel if "/" in (glob or "") else file.name):
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
    lines = data.decode("utf-8", errors="replace").split("\n")  # git's: at LF only, the
    if lines[-1] == "":  # ones the model's findings are placed on
        lines.pop()
    for number, line in enumerate(lines, 1):
        if regex.search(line.removesuffix("\r")):
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
    """An outline of the file's classes and functions with line numbers, git's (the diff's
    and the findings'): Python's own, which also end a line at a lone CR, are moved onto
    them."""
    real = ws.resolve(path)
    if not real.is_file():
        raise ToolRefused(f"{path} is not a file")
    source = real.read_bytes().decode("utf-8", errors="replace")  # its breaks as they are
    if real.suffix == ".py":
        to_git = tool_lines(source, PYTHON).line
        try:
            return "\n".join(_python_outline(ast.parse(source).body, 0, to_git)) \
                or "(no definitions)"
        except SyntaxError as exc:
            at = to_git(exc.lineno) if exc.lineno else exc.lineno
            note = f"(not valid Python: {exc.msg} at line {at}; regex outline)\n"
            return note + _regex_outline(source)
    return _regex_outline(source)


def _python_outline(nodes: list[ast.stmt], depth: int, to_git: Callable[[int], int]
                    ) -> list[str]:
    lines = []
    pad = "  " * depth
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(b) for b in node.bases)
            lines.append(f"{to_git(node.lineno)}: {pad}class {node.name}"
                         + (f"({bases})" if bases else ""))
            lines.extend(_python_outline(node.body, depth + 1, to_git))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            lines.append(
                f"{to_git(node.lineno)}-{to_git(node.end_lineno or node.lineno)}: "
                f"{pad}{prefix} {node.name}"
                f"({ast.unparse(node.args)}){returns}"
            )
    return lines


def _regex_outline(source: str) -> str:
    lines = [
        f"{n}: {line.strip()[:160]}"
        for n, line in enumerate(source.split("\n"), 1) if _OUTLINE.match(line)  # git's
    ]
    return "\n".join(lines) or "(no definitions found)"
