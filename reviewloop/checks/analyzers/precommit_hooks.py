"""The config file a project's own pre-commit hook hands its tool (`args:` of the hook in the
trusted `.pre-commit-config.yaml`), read as that tool's command line reads it.

`- id: bandit` with `args: ['-c', 'security/bandit-config.yml']` is how bandit is wired in
pre-commit, and `ruff-pre-commit`'s `- id: ruff` with `args: [--config, ci/ruff.toml]` how a
project keeps ruff's config out of its root. The review looked only at the tools' default
names, and the settings of those files were silently not applied (the fuzzer's D2, D4).

An option is read as argparse (bandit) and clap (ruff) read it: `-c PATH`, `-c=PATH`,
`-cPATH` for a short name, `--configfile PATH` or `--configfile=PATH` for a long one, the
last one given winning. pre-commit runs a hook from the repository's root, so the path is
the repository path from there.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_yaml

PRE_COMMIT = ".pre-commit-config.yaml"


def hook_config(ctx: AnalyzerContext, hooks: frozenset[str],
                names: Sequence[str]) -> str | None:
    """The option `names`' value in the args of the trusted pre-commit config's first hook
    whose id is one of `hooks` and that gives it, as a path from the repository's root
    (normalised; one leaving the root keeps its `..`); None when no such hook gives it."""
    data = trusted_yaml(ctx, PRE_COMMIT) or {}
    repos = data.get("repos")
    for repo in repos if isinstance(repos, list) else []:
        listed = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in listed if isinstance(listed, list) else []:
            if isinstance(hook, dict) and hook.get("id") in hooks:
                value = option(hook.get("args"), names)
                if value:
                    return posixpath.normpath(value.replace("\\", "/"))
    return None


def hook_rev(ctx: AnalyzerContext, hooks: frozenset[str]) -> str | None:
    """The `rev` of the trusted pre-commit config's repo that holds a hook whose id is one of
    `hooks` (the tool's version the project runs: `v0.17.6`); None when there is none."""
    data = trusted_yaml(ctx, PRE_COMMIT) or {}
    repos = data.get("repos")
    for repo in repos if isinstance(repos, list) else []:
        listed = repo.get("hooks") if isinstance(repo, dict) else None
        if isinstance(listed, list) and any(isinstance(h, dict) and h.get("id") in hooks
                                            for h in listed):
            rev = repo.get("rev")
            return rev if isinstance(rev, str) else None
    return None


def option(args: object, names: Sequence[str]) -> str | None:
    """The value the command line `args` gives the option called any of `names` (each with
    its dashes: `-c`, `--configfile`), the last one winning; None when none gives one."""
    if not isinstance(args, list):
        return None
    words = [str(arg) for arg in args]
    value = None
    for at, word in enumerate(words):
        if word == "--":
            break
        if word in names:
            value = words[at + 1] if at + 1 < len(words) else value
            continue
        for name in names:
            if word.startswith(name + "="):
                value = word[len(name) + 1:]
            elif not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                value = word[len(name):]  # `-cPATH`: argparse's joined short option
    return value
