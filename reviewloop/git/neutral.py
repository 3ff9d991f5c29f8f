"""What the user's git configuration and environment may not change in reviewloop's own git
calls: every setting that changes what a read prints (colour, signatures, grep prefixes, log
dates, diff shapes) or what it leaves out (submodule ignores, a blame ignore list) is pinned
with `-c`, and the environment variables that bend pathspecs or diffs are dropped. What the
user's configuration still decides is left alone: the identity and signing of a commit
reviewloop writes, safe.directory, credentials, excludes, the attributes and autocrlf that
decide what a file records as (docs/security.md, "Your git configuration")."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

# Command-line -c beats every configuration file (system, global, the repository's).
_PINNED = {
    # output meant for a terminal
    "color.ui": "false", "color.diff": "false", "color.grep": "false",
    "color.status": "false", "color.branch": "false", "color.showBranch": "false",
    "core.pager": "cat",
    # log / show: the text a format asks for and nothing before it (a signature check),
    # dates as git parses them back (a landed commit's author date), no history rewriting
    "log.showSignature": "false", "log.date": "default", "log.follow": "false",
    "log.decorate": "false", "log.showRoot": "true", "format.pretty": "medium",
    "i18n.logOutputEncoding": "UTF-8",
    # grep: lines as found, no `N:` / `N:C:` prefix, no submodule contents
    "grep.lineNumber": "false", "grep.column": "false", "grep.fullName": "false",
    "grep.patternType": "default", "grep.extendedRegexp": "false",
    "submodule.recurse": "false",
    # diffs: one shape whatever the user prefers to read
    "diff.ignoreSubmodules": "none", "diff.submodule": "short", "diff.noprefix": "false",
    "diff.mnemonicPrefix": "false", "diff.relative": "false", "diff.algorithm": "myers",
    "diff.context": "3", "diff.interHunkContext": "0", "diff.indentHeuristic": "true",
    "diff.suppressBlankEmpty": "false", "diff.colorMoved": "false",
    # blame: no marks (its ignore list is emptied by an option: `_OPTIONS`)
    "blame.markUnblamableLines": "false", "blame.markIgnoredLines": "false",
    # a throw-away index's `git add` converts as the user's autocrlf says but never refuses
    # a file for it (a warning setting, not a content one); `git apply` keeps bytes as given
    "core.safecrlf": "false", "apply.whitespace": "nowarn",
}
PINNED: tuple[str, ...] = tuple(arg for key, value in _PINNED.items()
                                for arg in ("-c", f"{key}={value}"))
# Pathspec magic git refuses beside --literal-pathspecs (and bends reviewloop's names
# otherwise), diff options and programs a parsed diff must not take.
CLEARED_ENV = frozenset({"GIT_GLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_NOGLOB_PATHSPECS",
                         "GIT_LITERAL_PATHSPECS", "GIT_DIFF_OPTS", "GIT_EXTERNAL_DIFF",
                         "GIT_PAGER"})
# Settings only a command-line option beats, put after the command: a submodule left out
# when `.gitmodules` (a file of the reviewed tree, in a pull request the author's) or
# .git/config says `ignore = all` (`submodule.<name>.ignore`, no -c can name them all); a
# blame ignore list (blame.ignoreRevsFile: every line goes to the commit that wrote it, not to
# whom the list says; git still opens a listed file first: `history.blame` names the setting
# when it is missing).
_SUBMODULES = ("--ignore-submodules=none",)
_OPTIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("diff", "diff-tree", "diff-index", "diff-files", "status"), _SUBMODULES),
    "blame": ("--ignore-revs-file=",),
}
# Its answers are the configuration itself (the sandbox's hook settings, init.defaultBranch).
_UNPINNED = frozenset({"config"})


def argv(args: Sequence[str]) -> list[str]:
    """`args` (`["git", options…, command, …]`) with the pins before the caller's own options
    (a caller's -c still wins) and the command's `_OPTIONS` right after it."""
    args = list(args)
    at = 1
    while at < len(args) and args[at].startswith("-"):
        at += 2 if args[at] in ("-c", "-C") else 1
    command = args[at] if at < len(args) else ""
    if not args or os.path.basename(args[0]) != "git" or command in _UNPINNED or not command:
        return args
    return [args[0], *PINNED, *args[1:at + 1], *_OPTIONS.get(command, ()), *args[at + 1:]]


def environment(base: Mapping[str, str], extra: Mapping[str, str] | None = None
                ) -> dict[str, str]:
    """`base` (the process's environment) less `CLEARED_ENV`, with `extra` on top."""
    return {**{k: v for k, v in base.items() if k not in CLEARED_ENV}, **(extra or {})}
