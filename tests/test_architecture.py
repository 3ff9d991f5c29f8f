"""The tree shows the architecture: the import direction holds, no two modules import each
other (function-level imports included), docs/architecture.md matches the packages, and no
module grows past 400 lines."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGE = ROOT / "reviewloop"
DOC = ROOT / "docs" / "architecture.md"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's contract from `project`/pyproject.toml, on the `reviewloop` found first
    on PYTHONPATH (the project folder itself)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_import_direction_holds():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(PACKAGE, tmp_path / "reviewloop", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    autofix = tmp_path / "reviewloop" / "fixes" / "autofix.py"
    autofix.write_text(autofix.read_text() + "\nimport reviewloop.runs.runner  # wrong way\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "reviewloop.fixes.autofix -> reviewloop.runs.runner" in result.stdout


def _packages(package: Path = PACKAGE) -> set[str]:
    return {f"reviewloop/{p.parent.relative_to(package).as_posix()}/"
            for p in package.rglob("__init__.py")
            if p.parent != package and "builtin_agents" not in p.parts}


def _core_modules(package: Path = PACKAGE) -> set[str]:
    return {f"reviewloop/{p.name}" for p in package.glob("*.py")
            if p.name not in ("__init__.py", "__main__.py")}


def _named_in_doc(text: str | None = None) -> set[str]:
    """The first cell of every table row that names a package or a module."""
    text = DOC.read_text() if text is None else text
    return set(re.findall(r"^\| `(reviewloop/[\w/.]+)` \|", text, flags=re.M))


def test_every_package_and_core_module_is_in_the_architecture_doc():
    assert (_packages() | _core_modules()) - _named_in_doc() == set()


def test_everything_the_architecture_doc_names_exists():
    assert _named_in_doc() - (_packages() | _core_modules()) == set()


def test_a_package_added_without_a_line_is_caught(tmp_path: Path):
    for name in ("spec", "landing/modes"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "__init__.py").write_text('"""x"""\n')
    doc = "| `reviewloop/spec/` | specs |\n| `reviewloop/gone/` | was here |\n"
    assert _packages(tmp_path) - _named_in_doc(doc) == {"reviewloop/landing/modes/"}
    assert _named_in_doc(doc) - _packages(tmp_path) == {"reviewloop/gone/"}


# The paths, names and extension points the doc's prose names ------------------------------

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _stale_paths(text: str, root: Path = ROOT) -> list[str]:
    """Every module (`x.py`) or folder (`x/`) path the doc names that does not exist. A path
    with a folder is read from the repository or from `reviewloop/`; a bare module name in a
    row of a table from the package that row is about, elsewhere from anywhere in the
    package. Paths of a user's project (`.kiro/agents/`) start with a dot and are left out."""
    package = root / "reviewloop"
    stale = []
    for line in text.splitlines():
        row = re.match(r"\| `(?:reviewloop/)?([\w/]+/)` \|", line)
        scope = package / row[1] if row else (
            package / "graph" if re.match(r"\| `\w+\.py` \|", line) else None)
        for span in _CODE_SPAN.findall(line):
            if not re.fullmatch(r"[\w][\w/.-]*(\.py|/)", span):
                continue
            if "/" in span:
                found = (root / span).exists() or (package / span).exists()
            elif scope is not None:
                found = any(scope.rglob(span))
            else:
                found = any(package.rglob(span))
            if not found:
                stale.append(span)
    return stale


def _defines(module: Path, name: str) -> bool:
    """Whether `module` defines `name` at its top level (a class, a function, an assignment)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
            return True
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def _stale_names(text: str, root: Path = ROOT) -> list[str]:
    """Every "`NAME` (`path.py`)" and "`path.py` `NAME`" pair of the doc whose module does not
    define NAME (its first part, for `Runs.land`). The path is from `reviewloop/`; a bare
    module name that is not a core module is a table row's (see `_stale_paths`)."""
    pairs = re.findall(r"`([\w.]+)` \(`([\w/]+\.py)`[,)]", text)
    pairs += [(n, p) for p, n in re.findall(r"`([\w/]+\.py)` `([\w.]+)`", text)]
    stale = []
    for name, path in pairs:
        module = root / "reviewloop" / path
        if "/" not in path and not module.exists():
            continue
        if not module.is_file() or not _defines(module, name.split(".")[0]):
            stale.append(f"{name} in {path}")
    return stale


def test_every_module_and_folder_the_doc_names_exists():
    assert _stale_paths(DOC.read_text()) == []


def test_every_registry_the_doc_names_is_defined_where_it_says():
    assert _stale_names(DOC.read_text()) == []


def test_a_moved_module_or_registry_is_caught():
    doc = ("* a tool gets a line in `TOOLS` (`checks/analyzers/provision.py`)\n"
           "* a gate: `checks/gates/gone.py`, `reports/` and `nowhere.py`\n"
           "| `reviewloop/fixes/` | the fixer (`groups.py`, `routing.py`) |\n")
    assert _stale_names(doc) == ["TOOLS in checks/analyzers/provision.py"]
    assert _stale_paths(doc) == ["checks/gates/gone.py", "nowhere.py", "routing.py"]


# the extension points the code has, each in the doc's table; and the entry-point groups
EXTENSION_POINTS = ("reviewers", "analyzers", "gates", "output formats", "landing modes",
                    "implementers", "spec formats")


def _extension_rows(text: str) -> dict[str, str]:
    assert "## Extension points" in text, "docs/architecture.md has no Extension points table"
    table = text.split("## Extension points", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| ([a-z ]+) \| (`[\w/.]+\.py` `\w+`) \|", table, flags=re.M))


def test_every_extension_point_has_a_row_naming_its_registry():
    rows = _extension_rows(DOC.read_text())
    assert set(EXTENSION_POINTS) <= set(rows)
    assert _stale_names("\n".join(rows.values())) == []


def test_every_plugin_entry_point_group_is_named_in_the_doc():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = [g for g in project.get("entry-points", {}) if g.startswith("reviewloop.")]
    text = DOC.read_text()
    assert [g for g in groups if f"`{g}`" not in text] == []


def test_the_doc_draws_the_layers_the_import_contract_holds():
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c["layers"] for c in contract["contracts"] if c["type"] == "layers")
    expected = [sorted(re.split(r"\s*[|:]\s*", layer.replace("reviewloop.", "")))
                for layer in layers]
    section = DOC.read_text().split("## Dependencies go one way", 1)[1]
    drawing = section.split("```", 2)[1]
    drawn = [sorted(re.split(r"\s*[|,]\s*", line.replace("└─►", "").strip()))
             for line in drawing.strip("\n").splitlines()]
    assert drawn == expected


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400, path.relative_to(ROOT)


def test_every_package_says_what_it_owns():
    for init in PACKAGE.rglob("__init__.py"):
        text = init.read_text().lstrip()
        assert text.startswith('"""'), init.relative_to(ROOT)


# Import cycles ----------------------------------------------------------------------------
# import-linter sees layers; a cycle inside one package (or hidden in a function body, where
# it only breaks at run time) needs its own check: every `import` at any depth counts.


def test_no_two_modules_import_each_other_even_inside_functions():
    assert cycles(module_imports(PACKAGE, "reviewloop")) == []


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import helper\n")
    (package / "b.py").write_text("def helper():\n    from pkg import a\n    return a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n")
    (package / "d.py").write_text("import pkg.c\n")
    sub = package / "sub"
    sub.mkdir()
    (sub / "__init__.py").write_text("from pkg.sub.e import E\n")  # the package runs e
    (sub / "e.py").write_text("from pkg.f import F\nE = 1\n")
    (package / "f.py").write_text("from pkg.sub.g import G\nF = 1\n")  # runs sub/__init__
    (sub / "g.py").write_text("G = 1\n")

    graph = module_imports(package, "pkg")

    assert graph["pkg.b"] == {"pkg.a"} and graph["pkg.c"] == set()  # typing-only: not run
    assert cycles(graph) == [["pkg.a", "pkg.b"], ["pkg.f", "pkg.sub", "pkg.sub.e"]]


def test_cycles_are_the_strongly_connected_groups():
    graph = {"x": {"y"}, "y": {"z"}, "z": {"x"}, "w": {"x"}, "v": {"v"}}
    assert cycles(graph) == [["x", "y", "z"]]


def module_imports(package: Path, name: str) -> dict[str, set[str]]:
    """Every module of `package` (named `name`) and the modules of it that it imports, at
    any depth (inside functions too), except under `if TYPE_CHECKING:`."""
    modules = {_dotted(package, path, name): path for path in _sources(package)}
    return {module: {target for imported in _targets(path, module, modules)
                     for target in _initialized(imported, module, modules)
                     if target != module}
            for module, path in modules.items()}


def _initialized(imported: str, importer: str, modules: Mapping[str, Path]) -> Iterator[str]:
    """What importing `imported` runs: the module, and first every package around it that
    is not already being imported around `importer` (Python runs a package's `__init__`
    before any of its modules)."""
    yield imported
    own = {importer.rsplit(".", n)[0] for n in range(importer.count(".") + 1)}
    parts = imported.split(".")
    for depth in range(1, len(parts)):
        package = ".".join(parts[:depth])
        if package in modules and package not in own:
            yield package


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles of `graph`: each strongly connected set of two or more modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graphs here are a few hundred
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _sources(package: Path) -> Iterator[Path]:
    """The package's own modules: not through a symlink (the bundled example project)."""
    for path in sorted(package.rglob("*.py")):
        inside = path.relative_to(package).parents
        if not path.is_symlink() and not any((package / p).is_symlink() for p in inside):
            yield path


def _dotted(package: Path, path: Path, name: str) -> str:
    parts = [name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(path: Path, module: str, modules: Mapping[str, Path]) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from _known(alias.name, modules)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield from _known(sub if sub in modules else node.module, modules)


def _known(name: str, modules: Mapping[str, Path]) -> Iterator[str]:
    """`name`, or the nearest package of it, when it is a module of ours."""
    while name:
        if name in modules:
            yield name
            return
        name = name.rpartition(".")[0]


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of `if TYPE_CHECKING:` (never executed)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from (n for other in child.orelse for n in [other, *_walk(other)])
            continue
        yield child
        yield from _walk(child)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
