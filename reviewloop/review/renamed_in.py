"""Files a change renamed from where the project's tool skips them to where it checks them
(`vendor/lib.py` -> `lib.py` with ruff's `extend-exclude = ["vendor"]`): compared with no
base run (`review.introduced`), their findings are all the change's.

At the base plain `ruff check .`, `bandit -r .`, `eslint .` never read the file, so what
they report in it now is new; the base run at its old path read it, each finding met its
twin there and the review passed complete while the plain tools newly failed (fuzz round 7,
D6). What each tool skips is decided by `checks.analyzers.skipped_paths`, from the base's
own config, or, where the analyzer can ask its tool (ESLint's flat configs, whose `ignores`
and `files` only ESLint reads right: round 8, D5), by the tool: the old path skipped, the new
one not (a file moved from one skipped folder to another is compared as before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from reviewloop.checks.analyzers.skipped_paths import Tree, skipped

NOTE = (" The change introduced it: at the change's base the file was {old}, which {tool}, "
        "run on the whole tree as the project configures it, skips ({why}); it lies on none "
        "of the lines the change wrote.")


class Base(Tree, Protocol):
    """The change's base (`introduced.BaseTree`)."""

    def was(self, path: str) -> str: ...


def renamed_in(tool: str, files: Sequence[str], base: Base,
               ask: Callable[[Sequence[str]], dict[str, str]] | None = None) -> dict[str, str]:
    """{file of `files`: the note for its findings} for each one the change renamed from a
    path the analyzer `tool`'s plain tool skips at the base to one it does not skip; `ask`,
    when the tool itself can be asked which paths it passes by (ESLint's flat configs:
    `AtBase.passed_by`), adds its answer for the old paths."""
    moves = {path: old for path in files if (old := base.was(path)) != path}
    told = ask(list(moves.values())) if ask is not None and moves else {}
    found = {}
    for path, old in moves.items():
        why = skipped(tool, old, base) or told.get(old)
        if why is None or skipped(tool, path, base) is not None:
            continue
        found[path] = NOTE.format(old=old, tool=tool.partition("-")[0], why=why)
    return found
