"""PyInstaller's `.spec` files: Python that `pyinstaller app.spec` executes as it builds.

The suffix is shared with RPM's spec files, which are no Python, so the content decides:
a file ending `.spec` is Python when its first bytes build a PyInstaller target —
`a = Analysis(…)`, `PYZ(…)`, `EXE(…)`, `COLLECT(…)`, `BUNDLE(…)`, as `pyi-makespec` writes
them — and hold none of RPM's preamble tags (`Name:`, `Version:`) or sections
(`%description`, `%install`, …). A Python annotated assignment (`Version: str = "1"`) is no
RPM tag.
"""

from __future__ import annotations

import ast
import re

from reviewloop.memo import compiled_on_first_use

SUFFIX = ".spec"


_TARGET = compiled_on_first_use(
    rb"^[ \t]*(?:\w+[ \t]*=[ \t]*)?(?:Analysis|PYZ|EXE|COLLECT|BUNDLE)[ \t]*\(", re.MULTILINE)
_RPM = compiled_on_first_use(
    rb"^(?:(?P<tag>(?:Name|Version|Release|Summary|License|BuildRequires)[ \t]*:.*)"
    rb"|%(?:description|prep|build|install|files|changelog)\b)", re.MULTILINE | re.IGNORECASE)


def is_pyinstaller_spec(name: str, start: bytes) -> bool:
    """Whether the file named `name` (its last part) starting with `start` is a PyInstaller
    spec: Python to run, not an RPM spec."""
    return name.lower().endswith(SUFFIX) and _TARGET().search(start) is not None \
        and not any(match["tag"] is None or not _assigns(match["tag"])
                    for match in _RPM().finditer(start))


def _assigns(line: bytes) -> bool:
    """Whether a `Tag: …` line is Python's annotated assignment (`Version: str = "1"`), which
    an RPM tag's value is not (`Version: 1.0`, `Summary: a tool`, `BuildRequires: x >= 1`)."""
    try:
        tree = ast.parse(line.decode("utf-8", "replace"))
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # the last two: too deep
        return False
    return len(tree.body) == 1 and isinstance(tree.body[0], ast.AnnAssign) \
        and tree.body[0].value is not None


# the names PyInstaller puts in a spec's namespace before it runs it (`build_main.py`'s
# `spec_namespace`): no undefined name there, whatever ruff's F821 says
NAMESPACE = frozenset({
    "Analysis", "BUNDLE", "COLLECT", "EXE", "MERGE", "PYZ", "TOC", "Tree", "Splash",
    "DISTPATH", "HOMEPATH", "SPEC", "SPECPATH", "specnm", "workpath", "WARNFILE", "gettemp",
    "is_darwin", "is_win", "is_linux", "is_cygwin"})
_UNDEFINED = compiled_on_first_use(r"Undefined name `(\w+)`")


def injected(code: str, filename: str, message: str) -> bool:
    """Whether ruff's diagnostic is an F821 on a name PyInstaller defines for a spec."""
    return code == "F821" and filename.lower().endswith(SUFFIX) \
        and (named := _UNDEFINED().match(message)) is not None and named[1] in NAMESPACE
