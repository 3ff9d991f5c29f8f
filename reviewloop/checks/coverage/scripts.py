"""The exported functions of a JavaScript or TypeScript file that a change adds or edits.

Parsed with tree-sitter's TypeScript grammars, in-process: no Node, no dependence on the
project having TypeScript installed (a worktree may have no node_modules), the same answer for
every TS version, and a tolerant parser, so a half-written file still yields what it can.
`.ts/.mts/.cts` use the TypeScript grammar, everything else (`.tsx`, `.js`, `.jsx`, `.mjs`,
`.cjs`) the TSX grammar, which parses JavaScript and JSX too.

Exported: `export function`, `export const f = () => …` / `= function …` (also parenthesised,
`as`/`satisfies`, or a wrapper call's function argument: `memo((x) => …)`), `export default`
(a function, an arrow, a class, an object literal's methods, or a local name), `export { a as
b }` of a local function or class, and the public methods and arrow fields of an exported
class (not `private`/`protected`, not `#x`, not `_x`, not the constructor, as Python leaves
dunders out). Overload signatures and ambient
`declare`s have no body: the implementation's span takes in the overloads above it.
Re-exports (`export … from`) define nothing here. A named export's object literal gives its
methods (`export const api = { run() {…} }`: `api.run`). Top-level assignments export too:
CommonJS (`exports.f = …`, `module.exports.f = …`, `module.exports = function …`, `= { … }`
or `= f`, and TS's `export = …`, read as `module.exports = …`), a function given later to an
exported name (`export let f; f = …`, `let f; f = …; export { f }`), and a method set on an
exported class's prototype (`K.prototype.f = function …`: `K.f`). A TS namespace's functions
(`export namespace N { export function f … }`) are not read: each is named "not checked".
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from reviewloop.checks.coverage.spans import FunctionSpan

if TYPE_CHECKING:  # tree-sitter loads with the first script parsed (a Python change parses none)
    from tree_sitter import Node, Parser

SUFFIXES = (".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx")
_TYPESCRIPT = frozenset({".ts", ".mts", ".cts"})
_FUNCTIONS = frozenset({"function_declaration", "generator_function_declaration"})
_VALUES = frozenset({"arrow_function", "function_expression", "function",
                     "generator_function"})
_CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_HIDDEN = frozenset({"private", "protected"})
NAMESPACE = ("a TypeScript namespace's functions are not read (an exported function of the "
             "module is)")


class ScriptFunctions:
    """The JavaScript/TypeScript `FunctionFinder` (one language for both: TS runs as JS)."""

    language = "javascript"
    suffixes: tuple[str, ...] = SUFFIXES

    def new_public_functions(self, path: str, new_source: str,
                             changed_lines: Collection[int]) -> list[FunctionSpan]:
        return exported_functions(path, new_source, changed_lines)


def exported_functions(path: str, source: str,
                       changed_lines: Collection[int] | None = None) -> list[FunctionSpan]:
    """Exported functions and exported classes' public methods whose lines contain a changed
    line (all of them when `changed_lines` is None), in source order."""
    root = parser(PurePosixPath(path).suffix in _TYPESCRIPT).parse(source.encode()).root_node
    unique = {(s.start, s.end, s.at): s for s in _exported(root, path)}  # `export {f as g}`
    spans = sorted(unique.values(), key=lambda s: (s.start, s.qualname))
    if changed_lines is None:
        return spans
    changed = set(changed_lines)
    return [s for s in spans if any(s.start <= n <= s.end for n in changed)]


@functools.cache
def parser(typescript: bool) -> Parser:
    """The tree-sitter parser for TypeScript (`typescript`) or TSX, which reads JavaScript
    and JSX too: one per process."""
    import tree_sitter_typescript
    from tree_sitter import Language, Parser

    grammar = tree_sitter_typescript.language_typescript() if typescript else \
        tree_sitter_typescript.language_tsx()
    return Parser(Language(grammar))


def _exported(root: Node, path: str) -> Iterator[FunctionSpan]:
    local = _local_definitions(root)
    yield from _assigned(root, path, local)
    for statement in root.named_children:
        if statement.type != "export_statement" or statement.child_by_field_name("source"):
            continue  # `export … from "./x"` re-exports what another file defines
        declaration = statement.child_by_field_name("declaration") or \
            statement.child_by_field_name("value")
        if declaration is not None and declaration.type == "internal_module":
            yield from _namespace(declaration, path)
            continue
        if declaration is None and any(c.type == "=" for c in statement.children):
            yield from _module_exports(statement.named_children[-1], statement, path, local)
            continue  # TS `export = f`: CommonJS's `module.exports = f`
        if declaration is not None:
            yield from _from_declaration(declaration, statement, path, _is_default(statement))
            if declaration.type == "identifier" and declaration.text:  # `export default f`
                found = local.get(declaration.text.decode())
                if found is not None:
                    yield from _from_declaration(found[0], found[1], path, False)
            continue
        for specifier in _specifiers(statement):  # `export { a, b as c }`
            found = local.get(specifier[0])
            if found is not None:
                yield from _from_declaration(found[0], found[1], path, False, specifier[1])


def _assigned(root: Node, path: str, local: dict[str, tuple[Node, Node]]
              ) -> Iterator[FunctionSpan]:
    """The functions top-level assignments export (the module docstring lists them)."""
    exported = _exported_names(root)
    for statement in root.named_children:
        assignment = statement.named_children[0] \
            if statement.type == "expression_statement" and statement.named_children else None
        if assignment is None or assignment.type != "assignment_expression":
            continue
        target = _dotted(assignment.child_by_field_name("left"))
        value = assignment.child_by_field_name("right")
        parts = target.split(".")
        if target == "module.exports" and value is not None:
            yield from _module_exports(value, statement, path, local)
            continue
        if parts[:-1] in (["exports"], ["module", "exports"]):
            name = parts[-1]
        elif len(parts) == 3 and parts[1] == "prototype" and parts[0] in exported:
            name = f"{parts[0]}.{parts[2]}"
        elif len(parts) == 1 and target in exported:
            name = target
        else:
            continue
        yield from _assigned_value(value, statement, path, local, name)


def _module_exports(value: Node, statement: Node, path: str,
                    local: dict[str, tuple[Node, Node]]) -> Iterator[FunctionSpan]:
    """`module.exports = …` (or TS `export = …`): an object's methods, a function, a local."""
    function = _unwrapped(value)
    if function is not None and function.type == "object":
        yield from _object_methods(function, path, None)
        for member in function.named_children:  # `{ f }`, `{ g: impl }`: local functions
            shorthand = member.type == "shorthand_property_identifier"
            key = _text(member if shorthand else member.child_by_field_name("key"))
            named = member if shorthand else member.child_by_field_name("value")
            found = local.get(_text(named)) if named is not None and named.type in (
                "identifier", "shorthand_property_identifier") else None
            if found is not None and key and not key.startswith("_"):
                yield from _from_declaration(found[0], found[1], path, False, key)
    else:
        yield from _assigned_value(value, statement, path, local, "default")


def _assigned_value(value: Node | None, statement: Node, path: str,
                    local: dict[str, tuple[Node, Node]], name: str) -> Iterator[FunctionSpan]:
    """The function an assignment gives `name`: a function value, or a local one by name."""
    if value is not None and value.type == "identifier":
        found = local.get(_text(value))
        if found is not None:
            yield from _from_declaration(found[0], found[1], path, False, name)
        return
    function = _unwrapped(value)
    if function is not None and function.type in _VALUES:
        yield _span(path, name.rsplit(".", 1)[-1], name, statement, function)


def _exported_names(root: Node) -> frozenset[str]:
    """The local names an `export` statement of the file exports, valued or not."""
    found: set[str] = set()
    for statement in root.named_children:
        if statement.type != "export_statement" or statement.child_by_field_name("source"):
            continue
        declaration = statement.child_by_field_name("declaration")
        if declaration is not None and declaration.type in (
                "lexical_declaration", "variable_declaration"):
            found |= {_text(d.child_by_field_name("name")) for d in declaration.named_children
                      if d.type == "variable_declarator"}
        elif declaration is not None:
            found.add(_text(declaration.child_by_field_name("name")))
        found |= {local for local, _ in _specifiers(statement)}
    return frozenset(found - {""})


def _namespace(module: Node, path: str) -> Iterator[FunctionSpan]:
    """A TS namespace's exported functions: named, not read (`not_checked`)."""
    owner = _text(module.child_by_field_name("name"))
    body = module.child_by_field_name("body")
    for statement in body.named_children if body is not None else ():
        inner = statement.child_by_field_name("declaration") \
            if statement.type == "export_statement" else None
        if inner is not None and inner.type in _FUNCTIONS:
            name = _text(inner.child_by_field_name("name"))
            yield replace(_span(path, name, f"{owner}.{name}", statement, inner),
                          not_checked=NAMESPACE)


def _dotted(node: Node | None) -> str:
    """`module.exports.f` for that member expression, `f` for an identifier; else ""."""
    if node is None:
        return ""
    if node.type == "identifier":
        return _text(node)
    if node.type == "member_expression":
        owner = _dotted(node.child_by_field_name("object"))
        member = _text(node.child_by_field_name("property"))
        return f"{owner}.{member}" if owner and member else ""
    return ""


def _local_definitions(root: Node) -> dict[str, tuple[Node, Node]]:
    """Top-level functions and classes by name → (declaration, the statement holding it)."""
    found: dict[str, tuple[Node, Node]] = {}
    for statement in root.named_children:
        declaration = statement.child_by_field_name("declaration") \
            if statement.type == "export_statement" else statement
        if declaration is None:
            continue
        for name, node in _named(declaration):
            found.setdefault(name, (node, statement))
    return found


def _named(declaration: Node) -> Iterator[tuple[str, Node]]:
    if declaration.type in _FUNCTIONS or declaration.type in _CLASSES:
        name = _text(declaration.child_by_field_name("name"))
        if name:
            yield name, declaration
    elif declaration.type in ("lexical_declaration", "variable_declaration"):
        for declarator in declaration.named_children:
            value = declarator.child_by_field_name("value")
            name = _text(declarator.child_by_field_name("name"))
            if declarator.type == "variable_declarator" and value is not None and name:
                yield name, declarator


def _from_declaration(node: Node, statement: Node, path: str, default: bool,
                      alias: str | None = None) -> Iterator[FunctionSpan]:
    """The spans one exported declaration gives: a function, each const function in it, or
    an exported class's public methods."""
    if node.type in _CLASSES:
        yield from _methods(node, path, alias or _text(
            node.child_by_field_name("name")) or "default")
        return
    if node.type in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            if declarator.type == "variable_declarator":
                yield from _from_declaration(declarator, statement, path, False)
        return
    function = _unwrapped(node.child_by_field_name("value")
                          if node.type == "variable_declarator" else node)
    own = _text(node.child_by_field_name("name")) or ("default" if default else "")
    if function is not None and function.type == "object" and (alias or own):
        yield from _object_methods(function, path, alias or own)  # `export default { run() {…} }`
        return
    if function is None or (function.type not in _FUNCTIONS and function.type not in _VALUES):
        return
    if not own:
        return
    start = _first_overload(statement, own) if node.type in _FUNCTIONS else statement
    yield _span(path, own, alias or own, start, function)


_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression"})


def _unwrapped(value: Node | None) -> Node | None:
    """The function a value is: through parentheses, `as`/`satisfies`, and a wrapper call's
    first function argument (`memo((x) => …)`, `forwardRef(function …)`)."""
    while value is not None:
        if value.type in _WRAPPERS:
            value = value.named_children[0] if value.named_children else None
        elif value.type == "call_expression":
            arguments = value.child_by_field_name("arguments")
            found = (_unwrapped(a) for a in (arguments.named_children if arguments else []))
            value = next((f for f in found if f is not None and f.type in _VALUES), None)
        else:
            return value
    return None


def _object_methods(literal: Node, path: str, owner: str | None) -> Iterator[FunctionSpan]:
    """The methods and function-valued keys of an exported object literal; `owner.name`
    (None: CommonJS's `module.exports = {…}`, whose keys are the exports: `name`)."""
    for member in literal.named_children:
        name = _text(member.child_by_field_name("name") or member.child_by_field_name("key"))
        value = member if member.type == "method_definition" else \
            _unwrapped(member.child_by_field_name("value")) if member.type == "pair" else None
        if value is not None and name and not name.startswith("_") and \
                (value.type == "method_definition" or value.type in _VALUES):
            yield _span(path, name, f"{owner}.{name}" if owner else name, member, value)


def _methods(cls: Node, path: str, name: str) -> Iterator[FunctionSpan]:
    body = cls.child_by_field_name("body")
    if body is None:
        return
    pending: Node | None = None  # the first decorator of the next member
    for member in body.named_children:
        if member.type == "decorator":
            pending = pending or member
            continue
        first, pending = pending or member, None
        method = _text(member.child_by_field_name("name"))
        function = member if member.type == "method_definition" else \
            _unwrapped(member.child_by_field_name("value")) \
            if member.type == "public_field_definition" else None  # `handle = (x) => …`
        if function is None or (function is not member and function.type not in _VALUES) \
                or not _public_method(member, method, function):
            continue
        yield _span(path, method, f"{name}.{method}", first, function)


def _public_method(member: Node, name: str, function: Node) -> bool:
    if not name or name.startswith(("_", "#")) or name == "constructor":
        return False
    hidden = any(c.type == "accessibility_modifier" and _text(c) in _HIDDEN
                 for c in member.children)
    return not hidden and function.child_by_field_name("body") is not None


def _span(path: str, name: str, qualname: str, start: Node, function: Node) -> FunctionSpan:
    first = _decorated_start(start)
    return FunctionSpan(path=path, name=name, qualname=qualname, start=first.start_point[0] + 1,
                        end=function.end_point[0] + 1, body_start=_body_start(function),
                        at=(function.start_point[0] + 1, function.start_point[1]))


def _decorated_start(node: Node) -> Node:
    """An exported class's decorators may stand before `export`: they are its first lines."""
    before = node.prev_named_sibling
    while before is not None and before.type == "decorator":
        node, before = before, before.prev_named_sibling
    return node


def _body_start(function: Node) -> int:
    """The first statement's line (an expression body's own line); an empty body's brace."""
    body = function.child_by_field_name("body")
    if body is None:
        return function.start_point[0] + 1
    if body.type == "statement_block":
        statements = [c for c in body.named_children if c.type != "comment"]
        return (statements[0] if statements else body).start_point[0] + 1
    return body.start_point[0] + 1


def _first_overload(statement: Node, name: str) -> Node:
    """The first of the overload signatures right above an implementation, or the statement."""
    first, before = statement, statement.prev_named_sibling
    while before is not None and _overload_of(before, name):
        first, before = before, before.prev_named_sibling
    return first


def _overload_of(statement: Node, name: str) -> bool:
    inner = statement.child_by_field_name("declaration") \
        if statement.type == "export_statement" else statement
    return inner is not None and inner.type == "function_signature" and \
        _text(inner.child_by_field_name("name")) == name


def _specifiers(statement: Node) -> Iterator[tuple[str, str]]:
    for clause in statement.named_children:
        if clause.type != "export_clause":
            continue
        for specifier in clause.named_children:
            local = _text(specifier.child_by_field_name("name"))
            alias = _text(specifier.child_by_field_name("alias")) or local
            if local:
                yield local, alias


def _is_default(statement: Node) -> bool:
    return any(child.type == "default" for child in statement.children)


def _text(node: Node | None) -> str:
    return node.text.decode() if node is not None and node.text is not None else ""
