"""The ESLint config a project names itself, `eslint -c <path>` / `--config <path>`, for a
changed file: the project's own rules are those of that config, not of the `eslint.config.*`
nearest the file (`eslint_configs.nearest`), which ESLint then does not look up.

Where the project says how it runs ESLint, in this order (the first that names a config wins):

1. the `lint` script of the package owning the file (the `package.json` nearest it, from its
   folder up), run from that package's folder, as `npm run lint` does; else its `lint:*`
   scripts (`lint:ci`, `lint:strict`), the first in name order whose ESLint command names
   one and lints the file (its paths: `eslint -c web.mjs web/` names nothing for `api/`'s
   files), the scripts they run followed (`npm run lint:ci`, `run-s`: `eslint_scripts`): a
   lenient default for editors beside a strict CI config is linted with the strict one;
2. else the commands lint-staged runs on it, from the lint-staged config nearest it, run from
   that config's folder (`eslint_staged.py`: `.lintstagedrc*`, `"lint-staged"` in a
   `package.json`; one in JavaScript is not run: when it names a config other than the one
   ESLint finds for the file, the file is not read, unless 3. or 4. names one for it);
3. else a recipe of the Makefile nearest it (`GNUmakefile`, `makefile`, `Makefile`), or of a
   file it includes, whose ESLint command lints the file, run from its folder (after a
   leading `cd DIR &&`), as `make lint` does (`eslint_make.py`);
4. else the `args` of an ESLint hook (`id` holding `eslint`) of the repository's
   `.pre-commit-config.yaml` whose `files` pattern takes the file, run from the root
   (`precommit_hooks.hooks`, the one reading of a hook's args; anchors and aliases expanded
   as pre-commit expands them, `anchored_yaml`).

ESLint's option is read as its command line reads it: `-c PATH`, `--config PATH`,
`--config=PATH`, the last one given winning. The path is the project's, relative to the folder
the command runs from; one that is not a file of the tree (absent, or outside it) is named as
an error with the fix, and the files it would have linted as not read. Each file of the
project (a `package.json`, a lint-staged config, a Makefile, the pre-commit config) is parsed
once for all the changed files (`NamedConfigs`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers import anchored_yaml, eslint_make, eslint_staged
from reviewloop.checks.analyzers.eslint_commands import (
    NO_INLINE,
    Named,
    Read,
    config_arg,
    join,
    yaml_data,
)
from reviewloop.checks.analyzers.eslint_make import Recipe
from reviewloop.checks.analyzers.eslint_scripts import script_recipes
from reviewloop.checks.analyzers.eslint_staged import Staged
from reviewloop.checks.analyzers.precommit_hooks import PRE_COMMIT, Hook, hooks
from reviewloop.checks.json_files import text_object


class NamedConfigs:
    """The configs a project names for its files, each of its files read and parsed once
    (however many changed files they govern), what a folder's package and Makefile say
    found once for all the files of the folder."""

    def __init__(self, read: Read) -> None:
        self._read = read
        self._texts: dict[str, str | None] = {}
        self._data: dict[str, object] = {}
        self._folders: dict[str, tuple[tuple[Recipe, ...], Staged | None,
                                       tuple[Recipe, ...]]] = {}
        self._hooks: list[tuple[Hook, str | None]] | None = None
        # a package's scripts and a Makefile, read once for all the folders they govern
        self._parsed: dict[str, tuple[Recipe, ...]] = {}

    @classmethod
    def of_tree(cls, tree: Path) -> NamedConfigs:
        """The configs of the tree at `tree` (the trusted side's own, or its copy)."""
        return cls(lambda path: _tree_text(tree, path))

    def named(self, file: str) -> Named | None:
        """The config the project names for `file` (a repository path), if it names one."""
        scripts, staged, recipes = self._folder(file)
        named = eslint_make.made(tuple(r for r in scripts if r.named.config), file)
        if named is not None:
            return named
        found = eslint_staged.lint_staged(self, staged, file)
        if found is not None and not found.unread:
            return found
        later = (eslint_make.made(recipes, file), self._pre_commit(file))
        # a config in code is not read: a source after it that names one the project runs
        # on the file wins over saying the file is not read
        return next((n for n in later if n is not None and not n.unread), None) or found or \
            next((n for n in later if n is not None), None)

    def no_inline(self, file: str) -> str | None:
        """Where the project runs ESLint on `file` with `--no-inline-config` (its command
        that names the config ESLint uses for it, else any ESLint command of its package's
        `lint` scripts, its Makefile, its lint-staged config or its pre-commit hooks that
        lints it: the CI's strict run is the verdict that counts); None: nowhere."""
        named = self.named(file)
        if named is not None and named.no_inline and not named.unread:
            return named.source
        scripts, staged, recipes = self._folder(file)
        return next((r.named.source for r in (*scripts, *recipes)
                     if r.named.no_inline and r.lints(file)), None) \
            or eslint_staged.staged_no_inline(staged, file) or next(
                (f"{PRE_COMMIT} hook `{hook.id}`" for hook, _ in self._eslint_hooks()
                 if NO_INLINE in (hook.args or ()) and hook.takes(file)), None)

    def _folder(self, file: str) -> tuple[tuple[Recipe, ...], Staged | None,
                                          tuple[Recipe, ...]]:
        """What the package scripts, the lint-staged config and the Makefile of `file`'s
        folder say, found once for all the files of the folder."""
        key = file.rpartition("/")[0] or "."
        if key not in self._folders:
            folder = PurePosixPath(key)
            made = eslint_make.nearest(self, folder)
            if made is not None and made not in self._parsed:
                self._parsed[made] = eslint_make.makefile(self, made)
            self._folders[key] = (self._scripts(folder), eslint_staged.staged_config(
                self, folder), self._parsed[made] if made is not None else ())
        return self._folders[key]

    def of(self, files: Iterable[str]) -> dict[str, Named]:
        """file → the config the project names for it, for those of `files` it names one for."""
        return {f: n for f in files if (n := self.named(f)) is not None}

    def text(self, path: str) -> str | None:
        """The text of the repository path `path` (None: no such file), read once."""
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def data(self, path: str) -> object:
        """What the file `path` holds, parsed once: JSON's object for a `.json` file (`{}`
        when it holds none), else its YAML (None: no file, or no YAML)."""
        if path not in self._data:
            text = self.text(path)
            self._data[path] = text_object(text) if path.endswith(".json") else yaml_data(text)
        return self._data[path]

    def _scripts(self, folder: PurePosixPath) -> tuple[Recipe, ...]:
        for above in (folder, *folder.parents):
            manifest = (above / "package.json").as_posix()
            if self.text(manifest) is not None:
                if manifest not in self._parsed:
                    scripts = self.data(manifest)
                    scripts = scripts.get("scripts") if isinstance(scripts, dict) else None
                    self._parsed[manifest] = script_recipes(scripts, above) \
                        if isinstance(scripts, dict) else ()
                return self._parsed[manifest]
        return ()

    def _eslint_hooks(self) -> list[tuple[Hook, str | None]]:
        """The ESLint hooks of the pre-commit config, and the config each names."""
        if self._hooks is None:
            self._hooks = [(h, config_arg(h.args)) for h in hooks(self.data(PRE_COMMIT))
                           if "eslint" in h.id]
        return self._hooks

    def _pre_commit(self, file: str) -> Named | None:
        data = self.data(PRE_COMMIT)
        if data is anchored_yaml.EXPANDS and "eslint" in str(self.text(PRE_COMMIT)):
            return Named("", ".", PRE_COMMIT, anchored_yaml.REFUSED.format(
                path=PRE_COMMIT, tool="ESLint"))
        for hook, config in self._eslint_hooks():
            if config is not None and hook.takes(file):
                return Named(join(PurePosixPath("."), config), ".",
                             f"{PRE_COMMIT} hook `{hook.id}`",
                             no_inline=NO_INLINE in (hook.args or ()))
        return None


def _tree_text(tree: Path, path: str) -> str | None:
    try:
        return (tree / path).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return None
