"""New code and its coverage: the public functions a change adds or edits, and which no test ran.

Pure: sources, changed line numbers and executed line numbers in, function spans out. Running
the tests under a coverage tool is `reviewloop.checks.coverage.analyzer`'s job.

A language joins by providing a `FunctionFinder` (and a collector in the analyzer): Python
here, JavaScript and TypeScript in `scripts.py`; Go, Rust, Java, Kotlin, C#, Swift, Ruby and
PHP, which have no collector, in `unmeasured.py`, so that their new functions are named as
not measured.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from reviewloop.checks.coverage.pyexports import exported_names, lambda_spans
from reviewloop.checks.coverage.scripts import ScriptFunctions
from reviewloop.checks.coverage.spans import ExecutedLines, FunctionFinder, FunctionSpan
from reviewloop.checks.coverage.unmeasured import UNMEASURED

__all__ = ["FINDERS", "ExecutedLines", "FunctionFinder", "FunctionSpan", "PythonFunctions",
           "finder_for", "new_public_functions", "untested"]

_SKIPPED_DECORATORS = frozenset({"overload", "abstractmethod"})
_PROTOCOL_BASES = frozenset({"Protocol"})


def new_public_functions(path: str, new_source: str,
                         changed_lines: Collection[int]) -> list[FunctionSpan]:
    """Public Python functions and methods whose lines (decorators to last line) contain a
    changed line, in source order.

    Public: no part of the qualified name starts with an underscore (so methods of public
    classes count, dunders and anything inside a private class do not), but for a private
    module-level name the module exports (`__all__`, `K = _K`, `K.newfn = _impl`:
    `pyexports`); a public name assigned a lambda is a function too. Functions nested in
    functions are left out: they run only through their parent. Overload stubs, abstract
    methods whose body is only a docstring, `...`, `pass` or `raise NotImplementedError`,
    and Protocol members have no body worth running and are left out too (a decorator named
    `overload` or `abstractmethod` over a real body does not hide it). A file that does not
    parse yields nothing; the test gate reports the syntax error.
    """
    try:
        tree = ast.parse(new_source, filename=path)
    except (SyntaxError, ValueError):
        return []
    changed = set(changed_lines)
    found = [*_functions(tree.body, path, (), exported_names(tree.body)),
             *lambda_spans(tree.body, path)]
    return sorted((span for span in found if any(span.start <= n <= span.end for n in changed)),
                  key=lambda span: span.start)


def untested(functions: Sequence[FunctionSpan], executed: ExecutedLines,
             starts: Mapping[str, Mapping[tuple[int, int], bool]] | None = None
             ) -> list[FunctionSpan]:
    """The functions none of whose body lines executed (the `def` line alone runs at import,
    so it does not count); a function the run answers for by where it starts (`starts`: V8's
    own range, which another function on its line does not share) by that answer."""
    missing = []
    for function in functions:
        own = (starts or {}).get(function.path, {}).get(function.at) \
            if function.at is not None else None
        ran = executed.get(function.path, ())
        if own is False or (own is None and not any(line in ran for line in function.body)):
            missing.append(function)
    return missing


class PythonFunctions:
    """The Python `FunctionFinder`: AST on the new file."""

    language = "python"
    suffixes: tuple[str, ...] = (".py",)

    def new_public_functions(self, path: str, new_source: str,
                             changed_lines: Collection[int]) -> list[FunctionSpan]:
        return new_public_functions(path, new_source, changed_lines)


FINDERS: tuple[FunctionFinder, ...] = (PythonFunctions(), ScriptFunctions(), *UNMEASURED)


def finder_for(path: str) -> FunctionFinder | None:
    suffix = PurePosixPath(path).suffix
    return next((f for f in FINDERS if suffix in f.suffixes), None)


def _functions(body: Sequence[ast.stmt], path: str, scope: tuple[str, ...],
               exported: frozenset[str]) -> Iterator[FunctionSpan]:
    for node in body:
        if isinstance(node, ast.ClassDef):
            if not _is_protocol(node):
                yield from _functions(node.body, path, (*scope, node.name), exported)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            qualname = ".".join((*scope, node.name))
            if _public(qualname, exported) and not _skipped(node):
                yield _span(node, path, qualname)
        else:  # `if TYPE_CHECKING:`, `try: … except ImportError:`, `for`, `match` …
            for child in _nested_bodies(node):
                yield from _functions(child, path, scope, exported)


_COMPOUND = (ast.If, ast.Try, ast.TryStar, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor,
             ast.While)


def _nested_bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists a module- or class-level compound statement holds: a function
    defined there is as public as one defined beside it."""
    if isinstance(node, _COMPOUND):
        yield node.body
        yield getattr(node, "orelse", [])
        yield getattr(node, "finalbody", [])
        for handler in getattr(node, "handlers", []):
            yield handler.body
    elif isinstance(node, ast.Match):
        for case in node.cases:
            yield case.body


def _span(node: ast.FunctionDef | ast.AsyncFunctionDef, path: str, qualname: str) -> FunctionSpan:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    end = node.end_lineno or node.lineno
    return FunctionSpan(path=path, name=node.name, qualname=qualname, start=start, end=end,
                        body_start=_body_start(node))


def _body_start(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The first statement after the docstring (coverage never reports a docstring line);
    the docstring itself when it is the whole body."""
    statements = node.body
    if len(statements) > 1 and _is_docstring(statements[0]):
        statements = statements[1:]
    return statements[0].lineno


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


def _public(qualname: str, exported: frozenset[str] = frozenset()) -> bool:
    first, *rest = qualname.split(".")
    return (first in exported or not first.startswith("_")) \
        and not any(part.startswith("_") for part in rest)


def _skipped(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An overload stub or an abstract method with no body of its own to run."""
    return any(_name(d) in _SKIPPED_DECORATORS for d in node.decorator_list) \
        and all(_placeholder(statement) for statement in node.body)


def _placeholder(statement: ast.stmt) -> bool:
    """A docstring, `...`, `pass` or `raise NotImplementedError(…)`: no behaviour."""
    if isinstance(statement, ast.Pass) or _is_docstring(statement):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return statement.value.value is Ellipsis
    return isinstance(statement, ast.Raise) and statement.exc is not None \
        and _name(statement.exc) == "NotImplementedError"


def _is_protocol(node: ast.ClassDef) -> bool:
    return any(_name(base) in _PROTOCOL_BASES for base in node.bases)


def _name(expr: ast.expr) -> str:
    """`x` for `x`, `a.x`, `x(...)` and `x[...]`; "" otherwise."""
    if isinstance(expr, ast.Call | ast.Subscript):
        return _name(expr.func if isinstance(expr, ast.Call) else expr.value)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return expr.id if isinstance(expr, ast.Name) else ""
