"""Whether a change to a source file changes what the program does (pure).

The file before the change is rebuilt from its diff (each hunk's old lines put back in the
new file), then both versions are reduced to what runs and compared:

* Python: the AST with docstrings (and other bare constant statements) removed and each
  function's own local variables renamed in order of first use, so comments, blank lines,
  whitespace, docstrings and renaming a local change nothing; a constant, a condition, a
  call or a parameter's name does. A local is renamed only where that is provably safe: not
  a parameter, not declared `global` or `nonlocal`, not bound by an import, not named
  anywhere in a nested function, class, lambda or comprehension, and in a function that does
  not look at its own frame (`locals()`, `eval`, …);
* JavaScript and TypeScript: tree-sitter's tokens without the comments;
* every other language: its non-blank lines without their indentation (what the coverage
  tools count as lines, at most: a comment-only edit still counts as a change there).

Anything that cannot be rebuilt or parsed counts as a change: the answer may be too strict,
never too lenient.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewloop.checks.coverage.scripts import SUFFIXES, parser
from reviewloop.git.diff import FileDiff, FileStatus, hunks
from reviewloop.git.names import posix_suffix

_TYPESCRIPT = frozenset({".ts", ".mts", ".cts"})  # the rest of SUFFIXES: the TSX grammar
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "dir", "_getframe",
                            "currentframe", "f_locals"})


def changes_behaviour(diff: FileDiff, new_text: str) -> bool:
    """Whether the change `diff` made to a file (whose content is now `new_text`) changes
    what it does."""
    old_text = old_version(diff, new_text)
    if old_text is None:
        return True
    suffix = posix_suffix(diff.path)
    if suffix == ".py" and diff.status is FileStatus.ADDED:
        return _has_code(new_text)  # the same answer as comparing with an empty module's
    if suffix == ".py":
        old_shape = _python_shape(old_text)
        return old_shape is None or old_shape != _python_shape(new_text)
    if suffix in SUFFIXES:
        old, new = _script_tokens(old_text, suffix), _script_tokens(new_text, suffix)
        return old is None or new is None or old != new
    return _lines(old_text) != _lines(new_text)


def old_version(diff: FileDiff, new_text: str) -> str | None:
    """The file as it was before `diff`, rebuilt from the new text and the diff's hunks;
    None when the two do not agree (or the diff cannot be read)."""
    if diff.status is FileStatus.ADDED:
        return ""
    found = hunks(diff)
    if found is None:
        return None
    lines = new_text.split("\n")  # lines as git counts them: at "\n" only
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    for hunk in reversed(found):
        start = max(hunk.target_start - 1, 0)
        shown = [line.value for line in hunk if line.is_context or line.is_added]
        here = lines[start:start + hunk.target_length]
        if [text.rstrip("\r\n") for text in here] != [t.rstrip("\r\n") for t in shown]:
            return None
        lines[start:start + hunk.target_length] = [
            line.value for line in hunk if line.is_context or line.is_removed]
    return "".join(lines)


# --- Python ---------------------------------------------------------------------------------

def _python_shape(text: str) -> str | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list):  # docstrings, and any other statement that is a
                setattr(node, name, [s for s in body if not _no_op(s)])  # bare constant
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _rename_locals(node)
    return ast.dump(tree, include_attributes=False)


def _has_code(text: str) -> bool:
    """Whether a new Python file does anything: its shape differs from an empty module's
    exactly when it has a statement that is not a bare constant (or does not parse). Found
    without renaming any local, which is most of a shape's cost: most often without parsing at
    all (`_starts_with_code`), else from the file's first lines (`_head`) when they settle
    it, else from the whole file."""
    if _starts_with_code(text):
        return True
    head = _head(text)
    if head is not None and _statements(head) is True:
        return True
    return _statements(text) is not False


def _statements(text: str) -> bool | None:
    """Whether `text` parses with a statement that is not a bare constant; None: it does
    not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    return any(not _no_op(statement) for statement in tree.body)


def _starts_with_code(text: str) -> bool:
    """Whether the first line that is not blank or a comment (after a docstring alone on its
    lines) starts, unindented, with a name that is not a constant's (`import`, `def`,
    `x = …`): then a statement is not a bare constant, or the file does not parse, and
    `_has_code` is True either way. Parsing every file of a 5,000-file change cost 0.2 s;
    this reads a few lines of each. Anything else (another string first, an indent, a
    carriage return a line may end with) is parsed."""
    if "\r" in text:
        return False
    first = _SIGNIFICANT.search(text)
    if first is not None and first.end() - first.start() == 1 and \
            text.startswith(('"""', "'''"), first.start()):
        closed = _TRIPLE_QUOTED.match(text, first.start())  # its first unescaped closing
        ended = closed and _LINE_END.match(text, closed.end())
        if not ended:
            return False
        first = _SIGNIFICANT.search(text, ended.end())
    if first is None or first.end() - first.start() != 1:  # none, or indented
        return False
    name = _NAME.match(text, first.start())
    return name is not None and name.group() not in _CONSTANT_NAMES


# the first character of the first line that is neither blank nor a comment
_SIGNIFICANT = re.compile(r"^[ \t\f]*[^ \t\f#\n]", re.MULTILINE)
# an ASCII name, not a string's prefix (`b"…"`, `rf'…'`)
_NAME = re.compile(r"[A-Za-z_]\w*(?![\w'\"])")
_CONSTANT_NAMES = frozenset({"None", "True", "False"})
# a triple-quoted string without a prefix, to the first closing quotes no backslash escapes
_TRIPLE_QUOTED = re.compile(r"(\"\"\"|''')(?:[^\\]|\\.)*?\1", re.DOTALL)
_LINE_END = re.compile(r"[ \t\f]*(?:#[^\n]*)?\n")  # nothing more on the line but a comment

# a line that starts a statement at the top level, and one that looks like code there (a
# name or a decorator, not a string's prefix)
_TOP_LINE = re.compile(r"^[^\s#]", re.MULTILINE)
_CODE_LINE = re.compile(r"^(?![rRbBuUfF]{0,2}['\"])[A-Za-z_@]", re.MULTILINE)


def _head(text: str) -> str | None:
    """The file up to the top-level line after its first line of code, or None. When the
    head parses with a statement that is not a constant, the whole file has that statement
    too, or does not parse: the tokens of a head that parses end outside any bracket,
    string or continued line, so the rest of the file can only add statements after them
    (or clauses to its last compound statement), never turn one of its statements into
    another."""
    code = _CODE_LINE.search(text)
    end = text.find("\n", code.start()) if code else -1
    after = _TOP_LINE.search(text, end + 1) if end >= 0 else None
    return text[:after.start()] if after else None


def _no_op(statement: ast.AST) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and statement.value.value is not Ellipsis


def _rename_locals(function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    own = list(_own_nodes(function))
    if any(_looks_at_frame(node) for node in own):
        return
    bound: list[str] = []
    kept = _parameters(function.args) | _nested_names(function)
    for node in own:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.append(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.append(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            kept |= set(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            kept |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            kept.add(node.name)  # a pattern's capture: left as it is
    fresh = {name: f"<local {n}>" for n, name in enumerate(
        dict.fromkeys(b for b in bound if b not in kept))}
    for node in own:
        if isinstance(node, ast.Name) and node.id in fresh:
            node.id = fresh[node.id]
        elif isinstance(node, ast.ExceptHandler) and node.name in fresh:
            node.name = fresh[node.name]


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of the function's own scope, in source order: nested scopes left out."""
    for child in ast.iter_child_nodes(function):
        if isinstance(child, ast.arguments):
            continue  # defaults and annotations run in the enclosing scope
        if child in getattr(function, "decorator_list", ()):
            continue
        if child is getattr(function, "returns", None):
            continue
        yield from _walk_own(child)


def _walk_own(node: ast.AST) -> Iterator[ast.AST]:
    if isinstance(node, _SCOPES):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _walk_own(child)


def _nested_names(function: ast.AST) -> set[str]:
    """Every identifier written anywhere in the function's nested scopes (and in its own
    decorators, defaults and annotations): such a local is never renamed."""
    names: set[str] = set()
    for node in ast.walk(function):
        if node is function or not isinstance(node, _SCOPES):
            continue
        names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        names |= {n.arg for n in ast.walk(node) if isinstance(n, ast.arg)}
    for part in (*getattr(function, "decorator_list", ()), getattr(function, "returns", None),
                 getattr(function, "args", None)):
        if part is not None:
            names |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
    return names


def _parameters(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return {a.arg for a in every if a is not None}


def _looks_at_frame(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id in _INTROSPECTION) or (
        isinstance(node, ast.Attribute) and node.attr in _INTROSPECTION)


# --- JavaScript / TypeScript and the rest -----------------------------------------------------

def _script_tokens(text: str, suffix: str) -> list[tuple[str, bytes]] | None:
    tree = parser(suffix in _TYPESCRIPT).parse(text.encode())
    if tree.root_node.has_error:
        return None
    tokens: list[tuple[str, bytes]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            continue
        if node.child_count == 0:
            tokens.append((node.type, node.text or b""))
        stack.extend(reversed(node.children))
    return tokens


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
