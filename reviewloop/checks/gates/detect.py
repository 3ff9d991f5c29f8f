"""Which build and test commands a project uses, when `gates.build` / `gates.test` are not set.

Every language runner found contributes (a repository with a Python backend and an npm
frontend runs both test suites). A Makefile target is the fallback for a gate that no
language runner covered, because a Makefile often wraps the same runners. A Node package's
commands come from `node.py` (the lockfile's package manager).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.gates.node import node_project
from reviewloop.config import Gates

_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_PYTEST_MODULE = re.compile(r"test_\w*\.py|\w+_test\.py")
# folders of installed or generated code, never the project's tests
_NOT_SOURCE = frozenset({"node_modules", "venv", "env", "site-packages", "__pycache__",
                         "build", "dist", "target", "vendor"})
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*::?(?!=)", re.M)


@dataclass(frozen=True)
class DetectedCommands:
    """The commands for the build and test gates, and where they came from."""

    build: tuple[str, ...]
    test: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class _Found:
    runner: str
    evidence: str
    build: tuple[str, ...] = ()
    test: tuple[str, ...] = ()


def gate_commands(root: Path, gates: Gates) -> DetectedCommands:
    """The configured commands; a gate left unset (None) is detected, `[]` keeps it off."""
    if gates.build is not None and gates.test is not None:
        return DetectedCommands(gates.build, gates.test, "configured in gates.build and gates.test")
    detected = detect_commands(root)
    build = gates.build if gates.build is not None else detected.build
    test = gates.test if gates.test is not None else detected.test
    reasons = [f"gates.{name} configured" for name, value in
               (("build", gates.build), ("test", gates.test)) if value is not None]
    return DetectedCommands(build, test, "; ".join([*reasons, detected.reason]))


def detect_commands(root: Path) -> DetectedCommands:
    """Look at the project's files (never run anything) and name its build and test commands."""
    found = [f for f in (probe(root) for probe in _PROBES) if f is not None]
    build = [cmd for f in found for cmd in f.build]
    test = [cmd for f in found for cmd in f.test]
    make = _make(root, want_build=not build, want_test=not test)
    if make is not None:
        found.append(make)
        build += make.build
        test += make.test
    if not found:
        return DetectedCommands((), (), "no pytest, npm, go, cargo, maven, gradle or make "
                                        "project found")
    reason = "detected " + ", ".join(f"{f.runner} ({f.evidence})" for f in found)
    return DetectedCommands(tuple(build), tuple(test), reason)


def _pytest(root: Path) -> _Found | None:
    evidence = _pytest_evidence(root)
    if evidence is None:
        return None
    # No -q: with a project's own `addopts = "-q"` pytest would print no counts at all.
    return _Found("pytest", evidence, test=(f"{_python(root)} -m pytest",))


def _pytest_evidence(root: Path) -> str | None:
    pyproject = _toml(root / "pyproject.toml")
    tool = pyproject.get("tool")
    if isinstance(tool, dict) and "pytest" in tool:
        return "pyproject.toml [tool.pytest]"
    if (root / "pytest.ini").is_file():
        return "pytest.ini"
    if _ini_has(root / "setup.cfg", "tool:pytest"):
        return "setup.cfg [tool:pytest]"
    if (root / "tox.ini").is_file():
        return "tox.ini"
    for conftest in ("conftest.py", "tests/conftest.py", "test/conftest.py"):
        if (root / conftest).is_file():
            return conftest
    for folder in ("tests", "test"):
        if _has_python_tests(root / folder):
            return f"{folder}/ with test files"
    module = _test_module(root)
    return f"{module}, a test file pytest collects" if module else None


def _has_python_tests(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return any(True for _ in folder.rglob("test_*.py")) or \
        any(True for _ in folder.rglob("*_test.py"))


def _test_module(root: Path) -> str | None:
    """The first file anywhere in the tree pytest collects by its default names
    (`test_*.py`, `*_test.py`: a root `test_app.py`, `app/tests/…`, `src/pkg/…`), in name
    order; environments, dependencies and hidden folders are not searched."""
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in _NOT_SOURCE)
        for name in sorted(files):
            if _PYTEST_MODULE.fullmatch(name):
                return Path(folder, name).relative_to(root).as_posix()
    return None


def _python(root: Path) -> str:
    """The project's virtualenv interpreter when it has one in the usual place, else `python`."""
    for venv in (".venv", "venv"):
        if (root / venv / "bin" / "python").is_file():
            return f"{venv}/bin/python"  # gate commands run in the project root
    return "python"


def _npm(root: Path) -> _Found | None:
    found = node_project(root)
    if found is None:
        return None
    return _Found(found.manager.removesuffix("-berry"), found.evidence, build=found.build,
                  test=found.test)


def _go(root: Path) -> _Found | None:
    if not (root / "go.mod").is_file():
        return None
    return _Found("go", "go.mod", build=("go build ./...",), test=("go test ./...",))


def _cargo(root: Path) -> _Found | None:
    if not (root / "Cargo.toml").is_file():
        return None
    return _Found("cargo", "Cargo.toml", build=("cargo build",), test=("cargo test",))


def _maven(root: Path) -> _Found | None:
    if not (root / "pom.xml").is_file():
        return None
    mvn = "./mvnw" if (root / "mvnw").is_file() else "mvn"  # the wrapper pins the version
    return _Found("maven", "pom.xml", build=(f"{mvn} -B -q compile",), test=(f"{mvn} -B test",))


def _gradle(root: Path) -> _Found | None:
    script = next((n for n in ("build.gradle.kts", "build.gradle", "settings.gradle.kts",
                               "settings.gradle") if (root / n).is_file()), None)
    if script is None:
        return None
    gradle = "./gradlew" if (root / "gradlew").is_file() else "gradle"
    return _Found("gradle", script, build=(f"{gradle} assemble",), test=(f"{gradle} test",))


def _make(root: Path, *, want_build: bool, want_test: bool) -> _Found | None:
    makefile = next((root / n for n in _MAKEFILES if (root / n).is_file()), None)
    if makefile is None or not (want_build or want_test):
        return None
    targets = make_targets(makefile.read_text(encoding="utf-8", errors="replace"))
    test = next((t for t in ("test", "check") if t in targets), None) if want_test else None
    build = "build" if want_build and "build" in targets else None
    if test is None and build is None:
        return None
    named = [t for t in (build, test) if t]
    return _Found("make", f"{makefile.name} targets: " + ", ".join(named),
                  build=(f"make {build}",) if build else (),
                  test=(f"make {test}",) if test else ())


def make_targets(text: str) -> set[str]:
    """Explicit rule targets of a Makefile (`test:`, `a b:`, `x::`), not `VAR := value`."""
    return {name for match in _MAKE_TARGET.finditer(text) for name in match.group(1).split()}


def _toml(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _ini_has(path: Path, section: str) -> bool:
    if not path.is_file():
        return False
    import configparser  # here: most projects have no INI file to read (~2 ms an import)

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return False
    return parser.has_section(section)


_PROBES: tuple[Callable[[Path], _Found | None], ...] = (_pytest, _npm, _go, _cargo, _maven,
                                                         _gradle)
