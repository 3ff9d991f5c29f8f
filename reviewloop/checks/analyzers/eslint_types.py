"""The head's types in the base's copy where the project's own ESLint rules run
(`eslint_project.py`): the change's TypeScript sources laid over it.

The project's rules run in a copy of the trusted side's tree (its configs and what they import
are the base's); each linted file's text is the change's. Its typed rules (typescript-eslint's
`projectService`, `parserOptions.project`) read the OTHER files from disk: in a bare base copy a
file the change adds was "not found by the project service" (named not analysed, while plain
`eslint .` lints it), a type the change adds or edits in another file was the base's (findings
lost, or made up: "Cases not matched" for a case the change removed), a module it adds could
not be resolved ("unsafe call of an error typed value"). So the change's `.ts`, `.mts`, `.cts`,
`.tsx` (declarations too) files are the head's in the copy, a deleted one gone, as plain
`eslint .` at the head sees them. The tsconfigs stay the base's: a JavaScript config can read
JSON (`ignores: tsconfig.exclude`), so the change's tsconfig could narrow what the trusted
config lints (rev11c D4); a file the change adds outside the base tsconfig's `include` is
named as not analysed.

A JavaScript config (`eslint.config.{js,mjs,cjs}`) cannot import a TypeScript file (node runs
it without a TypeScript loader), so no config is changed by it. A TypeScript config (loaded
with jiti) can import the base's: where one applies to a linted file, only the files the
change adds are laid over (no base config imports a file the base does not have; without
them a new file was "not found by the project service", named not analysed while plain
`eslint .` lints it: rev11c D7), and the files it edits keep the base's types. The change's
JavaScript files stay the base's in the copy (a config may import them); a typed rule on
JavaScript (`allowJs`) sees the base's other `.js` files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

TYPED = (".ts", ".mts", ".cts", ".tsx")
TS_CONFIGS = ("eslint.config.ts", "eslint.config.mts", "eslint.config.cts")


def typed(path: str) -> bool:
    """Whether `path` is one the type checker reads and no JavaScript config can import."""
    return PurePosixPath(path).suffix in TYPED


def overlay(tree: Path, head: Path, touched: Iterable[str], linted: Iterable[str]) -> None:
    """The head's version (`head`) of each of `touched` the type checker reads, in the base's
    copy `tree`; only those the base has not when a TypeScript config applies to one of
    `linted` (it may import the others)."""
    folders = {str(q) for f in linted for q in PurePosixPath(f).parents}
    added_only = any((tree / folder / name).exists() for folder in folders
                     for name in TS_CONFIGS)
    for path in touched:
        where = PurePosixPath(path)
        if not typed(path) or where.is_absolute() or ".." in where.parts:
            continue
        place, source = tree / path, head / path
        if added_only and (place.exists() or place.is_symlink()):
            continue
        if place.is_symlink() or place.is_file():
            place.unlink()
        if source.is_file() and not source.is_symlink():
            place.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, place)
