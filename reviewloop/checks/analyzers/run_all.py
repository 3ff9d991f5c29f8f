"""The scripts an `npm-run-all` / `run-s` / `run-p` command of a package script runs, and the
coverage wrappers (`c8`, `nyc`) a script puts in front of its runner.

npm-run-all (and npm-run-all2, which installs the same commands) runs each script whose name
one of its patterns matches, as `npm run <name> <args>`: a pattern is minimatch's glob over the
name with `:` read as `/` (`test:*` is `test:unit`, not `test:unit:a`; `test:**` is both), and
the words after a pattern's first space are that script's arguments (`"build -- --watch"`).
Read from the package's `scripts`, never run.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection

RUN_ALL = frozenset({"npm-run-all", "npm-run-all2", "run-s", "run-p"})
_RUN_ALL_VALUED = frozenset({"--max-parallel", "--npm-path"})
# what the wrappers take as an option's value (the rest are flags): c8's, then nyc's
_WRAPPERS = {
    "c8": frozenset({"-r", "--reporter", "-o", "--reports-dir", "--report-dir", "--src",
                     "-n", "--include", "-x", "--exclude", "-e", "--extension", "--config",
                     "--temp-directory", "--resolve", "--wrapper-length", "--branches",
                     "--functions", "--lines", "--statements", "--merge-async-timeout"}),
    "nyc": frozenset({"-r", "--reporter", "--report-dir", "-t", "--temp-dir",
                      "--temp-directory", "-n", "--include", "-x", "--exclude", "-e",
                      "--extension", "-i", "--require", "--cwd", "--nycrc-path", "--branches",
                      "--functions", "--lines", "--statements", "--cache-dir",
                      "--parser-plugins", "--exclude-node-modules"}),
}
_SUBCOMMANDS = frozenset({"report", "check-coverage", "instrument", "merge", "help"})


def without_wrapper(argv: list[str]) -> list[str] | None:
    """The command a coverage wrapper runs (`c8 --reporter=lcov vitest run` → `vitest run`);
    `argv` itself when it is no wrapper, and None for a wrapper's own command (`c8 report`)."""
    valued = _WRAPPERS.get(argv[0].rsplit("/", 1)[-1]) if argv else None
    if valued is None:
        return argv
    index = 1
    while index < len(argv) and argv[index].startswith("-"):
        word = argv[index]
        index += 2 if word in valued else 1
    rest = argv[index:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    return None if not rest or rest[0] in _SUBCOMMANDS else rest


def run_all_calls(argv: list[str], names: Collection[str]) -> tuple[str, ...] | None:
    """The `npm run` commands an npm-run-all command (`argv`, its program first) runs over
    the package's script `names`; None when `argv` is not one."""
    if not argv or argv[0].rsplit("/", 1)[-1] not in RUN_ALL:
        return None
    from wcmatch import glob  # minimatch's syntax; only a package that uses npm-run-all pays

    patterns, index = [], 1
    while index < len(argv) and argv[index] != "--":  # after `--`: values of `{1}`, `{@}`
        word = argv[index]
        if word.startswith("-"):
            index += 2 if word in _RUN_ALL_VALUED else 1
            continue
        patterns.append(word.strip())
        index += 1
    calls: dict[str, None] = {}
    for pattern in patterns:
        task, _, arguments = pattern.partition(" ")
        flags = glob.GLOBSTAR | glob.BRACE | glob.EXTGLOB
        for name in names:
            if glob.globmatch(_swapped(name), _swapped(task), flags=flags):
                calls.setdefault(f"npm run {shlex.quote(name)} {arguments}".rstrip())
    return tuple(calls)


def _swapped(text: str) -> str:
    return text.translate(str.maketrans(":/", "/:"))
