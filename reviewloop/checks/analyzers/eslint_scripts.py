"""The ESLint commands a package's `lint` scripts run, as `npm run lint` runs them, for
`eslint_named`: a script that runs another is followed to the ESLint command it ends in by
`policy.npm_scripts.walk` (the one chain follower: `npm run`, `yarn`, `pnpm`, `bun`,
npm-run-all lists, extra words, `MAX_DEPTH` and `MAX_CALLS` for all of a package's chains
together; a script that runs itself names nothing more).

* Each ESLint command lints the paths it names (relative to the folder it runs in; none:
  that folder), and its `-c` applies to those only: `"lint": "eslint -c web.mjs web/"` beside
  `"lint:api": "eslint -c api.mjs api/"` lints web/ with one and api/ with the other; a file
  neither takes is left to the next source (`eslint_named`), then to ESLint's own lookup.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.eslint_commands import Named, Run, eslint_run, join
from reviewloop.checks.analyzers.eslint_make import Recipe
from reviewloop.policy.npm_scripts import MAX_CALLS, walk


def script_recipes(scripts: Mapping[str, Any], folder: PurePosixPath) -> tuple[Recipe, ...]:
    """Each ESLint command of the package's `lint` script, then of its `lint:*` ones in name
    order (the package at `folder`), with the config it names (`""`: none) and the paths in
    the tree it lints; where each is named: the script the chain starts from, and the
    scripts it went through (`script `lint` (through `lint:ci`)`)."""
    found: list[Recipe] = []
    budget = [MAX_CALLS]
    for name in ["lint", *sorted(str(k) for k in scripts if str(k).startswith("lint:"))]:
        for run, chain in _runs(scripts, name, budget):
            source = f"{(folder / 'package.json').as_posix()} script `{name}`" + (
                f" (through {', '.join(f'`{c}`' for c in chain[1:])})" if chain[1:] else "")
            cwd = join(folder, run.cd) or "."
            paths = tuple(p if "$" in p else join(PurePosixPath(cwd), p) or "."
                          for p in run.paths or (".",))
            config = "" if run.config is None else join(PurePosixPath(cwd), run.config)
            found.append(Recipe(Named(config, cwd, source, no_inline=run.no_inline), paths))
    return tuple(found)


def _runs(scripts: Mapping[str, Any], name: str, budget: list[int]
          ) -> Iterator[tuple[Run, tuple[str, ...]]]:
    """The ESLint commands the script `name` runs, each with the chain of scripts it is in;
    `budget`: how many more scripts may be read for the package."""
    for step in walk(scripts, name, budget=budget):
        if not step.runs and (run := eslint_run(step.cd, step.words)) is not None:
            yield run, step.chain
