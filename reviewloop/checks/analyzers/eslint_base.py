"""What the ESLint views read at the change's base, so a finding the change brings about on
an unchanged line of a changed file counts: an import swapped to `child_process` turns an
untouched `exec(cmd)` thirty lines down into `security/detect-child-process`, a deleted
declaration an untouched use into `no-undef`, a removed last use an untouched import into
`no-unused-vars`. Plain `eslint .` reports each; the review dropped them as outside the
change.

The views are `FileByFile` (`review.introduced`): the files where they report findings off
the change's lines are linted again as they were before the change, by both runs — reviewloop's
own rule set and the project's config (`eslint_project`), the same trusted config as at the
head — and a finding whose rule the base does not report on the same code is the change's.
The base copy holds, besides those files, what decides how they are linted: the
`package.json` files above them (`"type"`: script or module) and the tsconfigs above them;
a TypeScript file linted with types has its whole project copied (the types it imports),
its `node_modules` linked. A file the base run cannot lint (a parse error at the base) has
nothing to compare with: its findings off the change's lines count as the change's, saying
so (`review.introduced`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext, FileByFile
from reviewloop.git.languages import JAVASCRIPT, TYPESCRIPT

_SETTINGS = ("package.json", "tsconfig.json")


class AtBase(FileByFile):
    """An ESLint view, compared with its run on the change's base (see the module)."""

    def base_folders(self, ctx: AnalyzerContext) -> tuple[str, ...]:
        """The TypeScript projects (tsconfig folders) of the changed TypeScript files: their
        type-aware rules read the modules they import."""
        from reviewloop.checks.analyzers.eslint_env import tsconfig_folder

        return tuple(sorted({project for path in ctx.files_for(TYPESCRIPT)
                             if (project := tsconfig_folder(ctx.root, path)) is not None}))

    def base_context(self, ctx: AnalyzerContext) -> tuple[str, ...]:
        """The `package.json` and `tsconfig*.json` files in the changed JS/TS files' folders
        and above them: what decides each file's parse goal, globals and types."""
        folders = {q for p in ctx.files_for(JAVASCRIPT, TYPESCRIPT)
                   for q in PurePosixPath(p).parents}
        found = set()
        for folder in folders:
            where = ctx.root / folder
            found |= {(folder / name).as_posix() for name in _SETTINGS
                      if (where / name).is_file()}
            found |= {(folder / extra.name).as_posix() for extra in where.glob("tsconfig.*.json")
                      if extra.is_file()}
        return tuple(sorted(found))


    def passed_by(self, ctx: AnalyzerContext, paths: Sequence[str]) -> dict[str, str]:
        """Those of `paths` plain `eslint .` passes by in the trusted tree (its config's
        `ignores`, no config's `files`), with why: a file renamed from one of them is the
        change's (`review.renamed_in`)."""
        from reviewloop.checks.analyzers.eslint_files import passed_by

        return passed_by(ctx, paths)


def at_base(ctx: AnalyzerContext) -> bool:
    """Whether `ctx` is the base run's (`review.introduced`): a copy of the base, whose
    unchanged importers are not looked for again."""
    return ctx.tree is not None
