"""Files a change renamed from where the project's tool skips them to where it checks them
(`vendor/lib.py` -> `lib.py` with ruff's `extend-exclude = ["vendor"]`): compared with no
base run (`review.introduced`), their findings are all the change's.

At the base plain `ruff check .`, `bandit -r .`, `eslint .` never read the file, so what
they report in it now is new; the base run at its old path read it, each finding met its
twin there and the review passed complete while the plain tools newly failed (fuzz round 7,
D6). What each tool skips is decided by `checks.analyzers.skipped_paths`, from the base's
own config: the old path skipped, the new one not (a file moved from one skipped folder to
another is compared as before).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reviewloop.checks.analyzers.skipped_paths import Tree, skipped

NOTE = (" The change introduced it: at the change's base the file was {old}, which {tool}, "
        "run on the whole tree as the project configures it, skips ({why}); it lies on none "
        "of the lines the change wrote.")


class Base(Tree, Protocol):
    """The change's base (`introduced.BaseTree`)."""

    def was(self, path: str) -> str: ...


def renamed_in(tool: str, files: Sequence[str], base: Base) -> dict[str, str]:
    """{file of `files`: the note for its findings} for each one the change renamed from a
    path the analyzer `tool`'s plain tool skips at the base to one it does not skip."""
    found = {}
    for path in files:
        old = base.was(path)
        if old == path or (why := skipped(tool, old, base)) is None \
                or skipped(tool, path, base) is not None:
            continue
        found[path] = NOTE.format(old=old, tool=tool.partition("-")[0], why=why)
    return found
