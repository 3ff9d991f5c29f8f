"""Which test-named modules production code loads, so that their `assert`s (B101) are kept.

A module named like a test that production code loads is production code: plain
`bandit -r .` reports its B101 and so does the review. Where the check cannot tell, the
module counts as loaded. A production file (`is_test` says no) loads a candidate by

* `import`, `from … import` (relative or absolute; `import x` from a script's folder, as
  running the script puts its folder first on `sys.path`), `from pkg import *` when `pkg`'s
  `__init__.py` names the module or sets `__all__` by anything but a literal list;
* a loader called with one string (`importlib.import_module`, `__import__`, `find_spec`, a
  relative name with a string `package=`, `pkgutil.resolve_name("pkg.mod:attr")`, the
  strings of `__import__`'s `fromlist`), also by a name the file gives the loader;
* an entry point (`[project.scripts]`, `[project.entry-points.*]`, poetry's scripts and
  plugins in a `pyproject.toml`; `module:attr` in a `setup.cfg` or `setup.py`);
* a blind load: any other use of the loading machinery (a computed name, a name held in
  another file, `spec_from_file_location`, `run_path`, `load_module`, a loader passed on as
  a value, `map(import_module, names)`, `getattr(importlib, "import_module")`). It may reach any
  module: every candidate counts as loaded but those under a `tests/` folder and
  `conftest.py` files (test code by place), which count only when a production file names
  them.

A loaded candidate is production code in turn: what it loads is loaded (transitively).
Files are searched as bytes first; only those naming a candidate's stem or a loader are
parsed, `MAX_PARSED` bytes in all, past which a file naming a candidate counts as loading it
and one naming a loader as a blind load. Python files are the `.py` files and the scripts
without a suffix whose first line is a `python` shebang.
"""

from __future__ import annotations

import ast
import os
import re
import tomllib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reviewloop.memo import compiled_on_first_use

MAX_SCANNED = 2_000_000  # a larger Python file is not read for its imports
MAX_PARSED = 2_000_000  # bytes of files parsed for their loads; past it, not told
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
_TEST_PLACE = compiled_on_first_use(r"(^|/)(tests?/|conftest\.py$)")
_BY_NAME = frozenset({"import_module", "__import__", "find_spec"})  # one string: a module
LOADERS = frozenset({*_BY_NAME, "resolve_name", "spec_from_file_location", "spec_from_loader",
                     "module_from_spec", "exec_module", "load_module", "load_source",
                     "load_package", "find_module", "SourceFileLoader",
                     "SourcelessFileLoader", "run_path", "run_module", "import_string"})
_LOADER_WORD = compiled_on_first_use(rb"|".join(re.escape(w.encode()) for w in sorted(LOADERS)))
# substrings searched first (a scan of the bytes, where an alternation runs a pattern at
# every byte: a 118 MB tree in 7 s rather than 0.5 s)
_LOADER_HINTS = (b"import_", b"_import", b"spec", b"resolve_name", b"_module", b"load_",
                 b"FileLoader", b"run_path")
# a literal prefix: searched as fast as a string
_STAR = compiled_on_first_use(rb"import[ \t\\\r\n]*\*")
_PACKAGING = frozenset({"pyproject.toml", "setup.cfg", "setup.py"})
_REFERENCE = compiled_on_first_use(r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*:\s*[A-Za-z_]")


@dataclass
class Loads:
    """What one production file loads."""

    names: list[tuple[str, ...]] = field(default_factory=list)  # dotted, from the root
    stars: list[tuple[str, ...]] = field(default_factory=list)  # `from pkg import *`
    blind: bool = False  # a load whose target cannot be told


def imported(root: Path, candidates: Collection[str],
             is_test: Callable[[str], bool]) -> set[str]:
    """Of the repository paths `candidates`, those production code of the tree at `root`
    loads, or may load as far as the check can tell."""
    if not candidates:
        return set()
    files, packaging = _tree(root)
    # a module named like a test that production loads passes it on to what it loads: the
    # candidates, and the test code outside test places, are followed
    modules = {path: _module(path) for path in (*candidates, *(
        p for p in files if not _TEST_PLACE().search(p) and is_test(p)))}
    stems = {parts[-1] for parts in modules.values() if parts}
    word = re.compile(b"|".join(re.escape(stem.encode()) for stem in sorted(stems)))
    importable = _import_root(root)
    found: set[str] = set()
    blind = False
    budget = [MAX_PARSED]

    def take(path: str, data: bytes) -> None:
        nonlocal blind
        named = {c for c, parts in modules.items() if parts and parts[-1].encode() in data} \
            if word.search(data) else set()  # most files name none: one search first
        loader = any(h in data for h in _LOADER_HINTS) and _LOADER_WORD().search(data) is not None
        if not named and not loader and not _STAR().search(data):
            return
        budget[0] -= len(data)
        loads = _loads(data.decode("utf-8", errors="replace"), path) \
            if budget[0] >= 0 else None
        if loads is None:  # not told: what it names counts as loaded
            found.update(named)
            blind |= loader
            return
        blind |= loads.blind
        if loads.blind:
            found.update(named)
        found.update(_matching(modules, loads.names, importable))
        found.update(_starred(root, modules, loads.stars, importable))

    for path in files:
        if path not in modules and not is_test(path) and (data := _read(root, path)):
            take(path, data)
    for path in packaging:
        found.update(_matching(modules, _entry_points(root, path), importable))
    done: set[str] = set()
    while True:
        if blind:  # it may load any module but test code by place
            found |= {c for c in modules if not _TEST_PLACE().search(c)}
        pending = [p for p in found if p in modules and p not in done]
        if not pending:
            return found & set(candidates)
        for path in pending:  # a loaded module is production: what it loads is loaded
            done.add(path)
            if data := _read(root, path):
                take(path, data)


def _matching(modules: dict[str, tuple[str, ...]], names: Iterable[tuple[str, ...]],
              importable: Callable[[tuple[str, ...]], bool]) -> set[str]:
    return {c for name in names if name for c, parts in modules.items()
            if parts[-len(name):] == name and importable(parts[:-len(name)])}


def _starred(root: Path, modules: dict[str, tuple[str, ...]], stars: list[tuple[str, ...]],
             importable: Callable[[tuple[str, ...]], bool]) -> set[str]:
    """The candidates `from pkg import *` loads: submodules its `__init__.py` names (in
    `__all__`) or all of them when `__all__` is not a literal list."""
    found = set()
    for star in stars:
        for c, parts in modules.items():
            package = parts[:-1]
            if not star or package[-len(star):] != star or not importable(package[:-len(star)]):
                continue
            init = _read(root, "/".join((*package, "__init__.py"))) or b""
            if parts[-1].encode() in init or (b"__all__" in init and not _literal_all(init)):
                found.add(c)
    return found


def _literal_all(data: bytes) -> bool:
    """Whether `__all__` is only ever set to a literal list or tuple of strings."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = getattr(node, "value", None)
            if not isinstance(value, ast.List | ast.Tuple) or not all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str)
                    for e in value.elts):
                return False
    return True


def _entry_points(root: Path, path: str) -> list[tuple[str, ...]]:
    """The modules the entry points a packaging file declares load."""
    data = _read(root, path)
    if not data:
        return []
    text = data.decode("utf-8", errors="replace")
    if not path.endswith("pyproject.toml"):
        return [tuple(m.split(".")) for m in _REFERENCE().findall(text)]
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return [tuple(m.split(".")) for m in _REFERENCE().findall(text)]
    project, poetry = table.get("project") or {}, (table.get("tool") or {}).get("poetry") or {}
    groups = [project.get("scripts"), project.get("gui-scripts"), poetry.get("scripts"),
              *(project.get("entry-points") or {}).values(),
              *(poetry.get("plugins") or {}).values()]
    values = [v for g in groups if isinstance(g, dict) for v in g.values()]
    refs = [v if isinstance(v, str) else v.get("reference") or v.get("callable")
            for v in values if isinstance(v, str | dict)]
    return [tuple(r.split(":", 1)[0].strip().split(".")) for r in refs if isinstance(r, str)]


def _import_root(root: Path) -> Callable[[tuple[str, ...]], bool]:
    """Whether a module under a folder of `root` can be imported from there: a folder
    Python looks in (`src`, the root) is no package itself; `tests/tests.py` is
    `tests.tests`, never a top-level `tests` (each folder asked once)."""
    return cache(lambda folder: not folder
                 or not root.joinpath(*folder, "__init__.py").is_file())


def _module(path: str) -> tuple[str, ...]:
    parts = tuple(path.removesuffix(".py").split("/"))
    return parts[:-1] if parts[-1] == "__init__" else parts


def _read(root: Path, path: str) -> bytes | None:
    try:
        with (root / path).open("rb") as file:
            data = file.read(MAX_SCANNED + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_SCANNED else None


def _tree(root: Path) -> tuple[list[str], list[str]]:
    """The tree's Python files (`.py`, and suffixless `python` scripts) and packaging files,
    regular files only, outside hidden and vendored folders; each folder listed once."""
    found: list[str] = []
    packaging: list[str] = []
    folders = [("", os.fspath(root))]
    while folders:
        relative, full = folders.pop()
        try:
            with os.scandir(full) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in _SKIPPED:
                    folders.append((f"{relative}{entry.name}/", entry.path))
            elif not entry.is_file(follow_symlinks=False):
                continue
            elif entry.name.endswith(".py") or ("." not in entry.name and _script(entry.path)):
                found.append(f"{relative}{entry.name}")
            if entry.name in _PACKAGING:
                packaging.append(f"{relative}{entry.name}")
    return found, packaging


def _script(full: str) -> bool:
    """Whether a file without a suffix starts with a `python` shebang."""
    try:
        with open(full, "rb") as file:
            head = file.read(128)
    except OSError:
        return False
    return head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]


def _loads(text: str, path: str) -> Loads | None:
    """What the file `path` (its `text`) loads; None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # not told (a newer Python's syntax, nesting too deep to parse)
    folder = tuple(path.split("/")[:-1])
    found = Loads()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = tuple(alias.name.split("."))
                found.names += [name, (*folder, *name)]  # from a script's folder too
        elif isinstance(node, ast.ImportFrom):
            base = folder[:len(folder) - node.level + 1] if node.level else ()
            module = (*base, *(node.module or "").split(".")) if node.module else base
            found.names.append(module)
            if not node.level:
                found.names.append((*folder, *module))
            for alias in node.names:
                if alias.name == "*":
                    found.stars.append(module)
                else:
                    found.names.append((*module, alias.name))
        elif isinstance(node, ast.Call) and (how := _called(node, aliases)) in LOADERS:
            told = _told(node, how)
            if told is None:
                found.blind = True
            else:
                found.names += [told[:i] for i in range(1, len(told) + 1)]
                items = _fromlist(node) if how == "__import__" else ()
                found.blind |= items is None
                found.names += [(*told, item) for item in items or ()]
        elif isinstance(node, ast.Name | ast.Attribute) and id(node) not in called \
                and isinstance(node.ctx, ast.Load):  # a loader passed on: its calls unread
            word = node.id if isinstance(node, ast.Name) else node.attr
            found.blind |= (word in LOADERS and id(node) not in aliases) or word in aliases
        elif isinstance(node, ast.Constant) and node.value in LOADERS:
            found.blind = True  # `getattr(importlib, "import_module")`
    return found


def _aliases(tree: ast.AST) -> dict[str | int, str]:
    """A file's other names for the loaders (`from importlib import import_module as load`,
    `load = importlib.import_module`) → the loader; the id of each aliased reference too."""
    found: dict[str | int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.update((a.asname, a.name) for a in node.names
                         if a.name in LOADERS and a.asname)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Name | ast.Attribute):
            value = node.value
            word = value.id if isinstance(value, ast.Name) else value.attr
            if word in LOADERS:
                found[node.targets[0].id] = found[id(value)] = word
    return found


def _fromlist(node: ast.Call) -> tuple[str, ...] | None:
    """The submodules `__import__(name, …, fromlist)` loads too; None when not told."""
    given = node.args[3] if len(node.args) > 3 else \
        next((k.value for k in node.keywords if k.arg == "fromlist"), None)
    if given is None:
        return ()
    if isinstance(given, ast.List | ast.Tuple) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in given.elts):
        return tuple(str(e.value) for e in given.elts if isinstance(e, ast.Constant))
    return None


def _told(node: ast.Call, how: str) -> tuple[str, ...] | None:
    """The module a loader call loads when its text says (one string), else None."""
    words = {k.arg: k.value for k in node.keywords}
    first = node.args[0] if node.args else words.get("name")
    if how not in (*_BY_NAME, "resolve_name") or not isinstance(first, ast.Constant) \
            or not isinstance(first.value, str):
        return None
    if how == "__import__" and (len(node.args) > 4 or "level" in words):
        return None  # relative to the caller's package
    name = first.value.split(":", 1)[0] if how == "resolve_name" else first.value
    if name.startswith("."):
        package = node.args[1] if len(node.args) > 1 else words.get("package")
        if how == "__import__" or not isinstance(package, ast.Constant) \
                or not isinstance(package.value, str):
            return None
        dots = len(name) - len(name.lstrip("."))
        parts = package.value.split(".")
        name = ".".join([*parts[:len(parts) - dots + 1], name.lstrip(".")])
    return tuple(p for p in name.split(".") if p) or None


def _called(node: ast.Call, aliases: dict[str | int, str]) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else \
        aliases.get(func.id, func.id) if isinstance(func, ast.Name) else None
