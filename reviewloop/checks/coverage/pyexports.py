"""Which module-level Python names are public API although an underscore starts them, and the
public functions written as assignments rather than `def`s.

An underscore makes a name private, except where the module itself exports it: a literal
`__all__` naming it (`= […]`, `+= […]`, `.extend([…])`, `.append("…")`), or an assignment of
it to a public name or attribute (`K = _K`, `api = _impl`, `K.newfn = _impl`): the methods of
an aliased private class and the aliased private function are as public as the alias.

A public name assigned a `lambda` (`double = lambda v: v * 2`, in a module, a class body or
on a public class, `K.double = lambda …`) is a public function too. Coverage tells whether a
test ran it only when its body starts on a later line than the assignment: a one-line
lambda's line runs when the module loads, so such a lambda is named "not checked", never
called tested or untested.

Pure: an AST in, names and spans out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from reviewloop.checks.coverage.spans import FunctionSpan

__all__ = ["ONE_LINE_LAMBDA", "exported_names", "lambda_spans"]

ONE_LINE_LAMBDA = ("a lambda on one line runs that line when the module loads, so coverage "
                   "cannot tell whether a test called it (a `def` can be checked)")


def exported_names(body: Sequence[ast.stmt]) -> frozenset[str]:
    """The module's private names it exports anyway: in `__all__`, or assigned to a public
    name or attribute."""
    found: set[str] = set()
    for node in _statements(body):
        if _all_target(node):
            found |= _strings(getattr(node, "value", None))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Attribute) \
                and _is_all(node.value.func.value) \
                and node.value.func.attr in ("extend", "append"):
            for argument in node.value.args:
                found |= _strings(argument) if node.value.func.attr == "extend" \
                    else _strings(ast.List(elts=[argument]))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) \
                and node.value.id.startswith("_") \
                and any(_public_target(t) for t in node.targets):
            found.add(node.value.id)
    return frozenset(n for n in found if n.startswith("_"))


def lambda_spans(body: Sequence[ast.stmt], path: str, scope: tuple[str, ...] = ()
                 ) -> Iterator[FunctionSpan]:
    """The lambdas assigned to public names in `body` (a module's or a class's), and to
    public attributes of public names (`K.newfn = lambda …`)."""
    for node in _statements(body):
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from lambda_spans(node.body, path, (*scope, node.name))
            continue
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        if not isinstance(value, ast.Lambda):
            continue
        for target in targets:
            name = _dotted(target)
            if name and not any(part.startswith("_") for part in name.split(".")):
                yield _lambda_span(value, node, path, ".".join((*scope, name)))


def _lambda_span(value: ast.Lambda, node: ast.stmt, path: str, qualname: str) -> FunctionSpan:
    start, end = node.lineno, node.end_lineno or node.lineno
    body = value.body.lineno
    return FunctionSpan(path=path, name=qualname.rsplit(".", 1)[-1], qualname=qualname,
                        start=start, end=end, body_start=body,
                        not_checked=ONE_LINE_LAMBDA if body == start else None)


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """`body`'s statements and those of its `if`, `try`, `with` … blocks, as a module's
    or a class's own."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With | ast.AsyncWith
                      | ast.For | ast.AsyncFor | ast.While):
            for block in (node.body, getattr(node, "orelse", []),
                          getattr(node, "finalbody", []),
                          *(h.body for h in getattr(node, "handlers", []))):
                yield from _statements(block)


def _all_target(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        return any(_is_all(t) for t in node.targets)
    return isinstance(node, ast.AugAssign | ast.AnnAssign) and _is_all(node.target)


def _is_all(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "__all__"


def _strings(expr: ast.expr | None) -> set[str]:
    if not isinstance(expr, ast.List | ast.Tuple | ast.Set):
        return set()
    return {e.value for e in expr.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _public_target(target: ast.expr) -> bool:
    name = _dotted(target)
    return bool(name) and not any(part.startswith("_") for part in name.split("."))


def _dotted(expr: ast.expr) -> str:
    """`K.newfn` for `K.newfn`, `x` for `x`; "" for anything else (`a[0]`, `f().x`)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute) and (base := _dotted(expr.value)):
        return f"{base}.{expr.attr}"
    return ""
